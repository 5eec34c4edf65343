//! People in regulated roles from the command line (issue #13): `xinyong roles import`
//! registers a department's register all or nothing per file, naming every bad row and
//! field; `xinyong import` refuses a professional record whose subject holds no such role.

use crate::commands::{Env, stderr};

const LAWYER: &str = "440305198507265865";
const OTHER: &str = "11010519491231002X";
const FIRM: &str = "31440300MD0123454X";

fn justice(env: &Env) {
    let out = env.run(&[
        "department",
        "add",
        "--code",
        "SZ-JUSTICE",
        "--name",
        "深圳市司法局",
        "--category",
        "professional_discipline",
        "--profession",
        "lawyer",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("registers: lawyer"),
        "{}",
        stderr(&out)
    );
}

fn register(env: &Env, rows: &str) -> std::process::Output {
    let text =
        format!("身份证号码,姓名,执业机构统一社会信用代码,职业,执业证号,执业起始日期\n{rows}");
    let path = env.write("lawyers.csv", text.as_bytes());
    env.run(&[
        "roles",
        "import",
        "--department",
        "SZ-JUSTICE",
        path.to_str().unwrap(),
    ])
}

fn discipline(env: &Env, licence: &str) -> std::process::Output {
    let text = format!(
        "身份证号码,行政相对人名称,行政相对人类别,决定文书号,决定日期,依据,执业证号,执业机构统一社会信用代码,惩戒措施,违法违规事实,作出决定机关\n\
         {LAWYER},张律师,自然人,深司惩〔2026〕1号,2026-03-01,《中华人民共和国律师法》第四十八条,{licence},{FIRM},警告,同时在两个律师事务所执业,深圳市司法局\n"
    );
    let path = env.write("discipline.csv", text.as_bytes());
    env.run(&[
        "import",
        "--department",
        "SZ-JUSTICE",
        "--category",
        "professional_discipline",
        path.to_str().unwrap(),
    ])
}

fn listed(env: &Env) -> String {
    let out = env.run(&["roles", "list", "--organisation", FIRM]);
    assert!(out.status.success(), "{}", stderr(&out));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_role_file_with_a_bad_row_stores_nothing_and_names_the_row_and_field() {
    let env = Env::new();
    justice(&env);
    let out = register(
        &env,
        &format!(
            "{LAWYER},张律师,{FIRM},律师,14403201510123456,2015-10-01\n\
             110105194912310021,李律师,{FIRM},律师,14403201610000001,2016-01-01\n"
        ),
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("row 3: person_code"), "{err}");
    assert!(
        !err.contains("110105194912310021"),
        "the number is masked: {err}"
    );
    assert_eq!(listed(&env), "", "a refused file stored a role");

    let out = register(
        &env,
        &format!(
            "{LAWYER},张律师,{FIRM},律师,14403201510123456,2015-10-01\n\
             {OTHER},李律师,{FIRM},lawyer,14403201610000001,2016-01-01\n"
        ),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("2 people in roles registered"));
    let list = listed(&env);
    assert_eq!(list.lines().count(), 2, "{list}");
    assert!(
        list.contains("lawyer\t14403201510123456\t2015-10-01"),
        "{list}"
    );
    assert!(!list.contains(LAWYER), "{list}");

    // The same licence again, while its role is open: refused, naming the row.
    let out = register(
        &env,
        &format!("{OTHER},李律师,{FIRM},律师,14403201510123456,2020-01-01\n"),
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("row 2: licence_no: held by role"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_professional_record_is_imported_only_for_a_role_its_subject_holds() {
    let env = Env::new();
    justice(&env);
    let out = discipline(&env, "14403201510123456");
    assert!(!out.status.success(), "imported without a role");
    let err = stderr(&out);
    assert!(err.contains("row 2: fields.licence_no"), "{err}");
    assert!(err.contains("nothing from this file was stored"), "{err}");

    let out = register(
        &env,
        &format!("{LAWYER},张律师,{FIRM},律师,14403201510123456,2015-10-01\n"),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = discipline(&env, "99999999");
    assert!(!out.status.success(), "a licence the person does not hold");
    let out = discipline(&env, "14403201510123456");
    assert!(out.status.success(), "{}", stderr(&out));
    let records = env.records(LAWYER);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].fields["organisation_code"], FIRM);
}
