//! Issue #15: the national "double publicity" templates import as departments export them:
//! every standard column present (the legacy identifiers, the person columns, most of them
//! empty), Chinese category values, no tier column; in UTF-8, UTF-8 with a BOM and GBK.
//!
//! The column lists are the standard's, in its order (行政处罚 30 columns, 行政许可 28).

use std::path::PathBuf;

use crate::commands::{COMPANY, Env, stderr};

/// The penalty template, every column in the standard's order.
const PENALTY_COLUMNS: [&str; 30] = [
    "行政相对人名称",
    "行政相对人类别",
    "行政相对人代码_1(统一社会信用代码)",
    "行政相对人代码_2(工商注册号)",
    "行政相对人代码_3(组织机构代码)",
    "行政相对人代码_4(税务登记号)",
    "行政相对人代码_5(事业单位证书号)",
    "行政相对人代码_6(社会组织登记证号)",
    "法定代表人",
    "法定代表人证件类型",
    "法定代表人证件号码",
    "证件类型",
    "证件号码",
    "行政处罚决定书文号",
    "违法行为类型",
    "违法事实",
    "处罚依据",
    "处罚类别",
    "处罚内容",
    "罚款金额（万元）",
    "没收违法所得、没收非法财物的金额（万元）",
    "暂扣或吊销证照名称及编号",
    "处罚决定日期",
    "处罚有效期",
    "公示截止期",
    "处罚机关",
    "处罚机关统一社会信用代码",
    "数据来源单位",
    "数据来源单位统一社会信用代码",
    "备注",
];

/// The licence template, every column in the standard's order.
const LICENCE_COLUMNS: [&str; 28] = [
    "行政相对人名称",
    "行政相对人类别",
    "行政相对人代码_1(统一社会信用代码)",
    "行政相对人代码_2(工商注册号)",
    "行政相对人代码_3(组织机构代码)",
    "行政相对人代码_4(税务登记号)",
    "行政相对人代码_5(事业单位证书号)",
    "行政相对人代码_6(社会组织登记证号)",
    "法定代表人",
    "法定代表人证件类型",
    "法定代表人证件号码",
    "证件类型",
    "证件号码",
    "行政许可决定文书名称",
    "行政许可决定文书号",
    "许可类别",
    "许可证书名称",
    "许可编号",
    "许可内容",
    "许可决定日期",
    "有效期自",
    "有效期至",
    "许可机关",
    "许可机关统一社会信用代码",
    "当前状态",
    "数据来源单位",
    "数据来源单位统一社会信用代码",
    "备注",
];

/// The GB 11714 organisation code inside `COMPANY` (characters 9 to 17), as 8-1.
const COMPANY_ORG_CODE: &str = "60003734-1";
/// The worked example of GB 11714 (a valid code, but not `COMPANY`'s).
const OTHER_ORG_CODE: &str = "D2143569-X";
/// An individual business (92) and a natural person (the standard's own example number).
const SHOP: &str = "92440300MA5F00018X";
const PERSON: &str = "11010519491231002X";
const REPRESENTATIVE_ID: &str = "440305198001010013";
const AUTHORITY: &str = "11440300MB2C92157U";

/// One row of a template: `values` names the filled columns, every other one is empty.
fn row(columns: &[&str], values: &[(&str, &str)]) -> String {
    let cells: Vec<String> = columns
        .iter()
        .map(|c| {
            let v = values.iter().find(|(k, _)| k == c).map_or("", |(_, v)| *v);
            assert!(!v.contains(','), "{v}");
            v.to_owned()
        })
        .collect();
    for (k, _) in values {
        assert!(columns.contains(k), "{k} is not a template column");
    }
    cells.join(",") + "\r\n"
}

fn penalty_rows(org_code: &str) -> String {
    let common = |doc: &'static str| {
        vec![
            ("行政处罚决定书文号", doc),
            ("违法行为类型", "广告违法"),
            ("违法事实", "发布虚假广告"),
            ("处罚依据", "《中华人民共和国广告法》第五十五条"),
            ("处罚类别", "罚款"),
            ("处罚内容", "罚款人民币二万元"),
            ("罚款金额（万元）", "2"),
            ("处罚决定日期", "2026/09/01"),
            ("处罚机关", "深圳市市场监督管理局"),
            ("处罚机关统一社会信用代码", AUTHORITY),
            ("数据来源单位", "深圳市市场监督管理局"),
            ("数据来源单位统一社会信用代码", AUTHORITY),
        ]
    };
    let mut company = common("深市监罚〔2026〕101号");
    company.extend([
        ("行政相对人名称", "北京示例科技有限公司"),
        ("行政相对人类别", "法人及非法人组织"),
        ("行政相对人代码_1(统一社会信用代码)", COMPANY),
        ("行政相对人代码_3(组织机构代码)", org_code),
        ("法定代表人", "张三"),
        ("法定代表人证件类型", "身份证"),
        ("法定代表人证件号码", REPRESENTATIVE_ID),
    ]);
    let mut shop = common("深市监罚〔2026〕102号");
    shop.extend([
        ("行政相对人名称", "深圳市某某便利店"),
        ("行政相对人类别", "个体工商户"),
        ("行政相对人代码_1(统一社会信用代码)", SHOP),
    ]);
    let mut person = common("深市监罚〔2026〕103号");
    person.extend([
        ("行政相对人名称", "李四"),
        ("行政相对人类别", "自然人"),
        ("证件类型", "身份证"),
        ("证件号码", PERSON),
    ]);
    [company, shop, person]
        .iter()
        .map(|v| row(&PENALTY_COLUMNS, v))
        .collect()
}

fn file(columns: &[&str], rows: &str) -> String {
    format!("{}\r\n{rows}", columns.join(","))
}

enum Encoding {
    Utf8,
    Utf8Bom,
    Gbk,
}

fn encoded(text: &str, encoding: Encoding) -> Vec<u8> {
    match encoding {
        Encoding::Utf8 => text.as_bytes().to_vec(),
        Encoding::Utf8Bom => [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
        Encoding::Gbk => {
            let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
            assert!(!unmappable);
            bytes.into_owned()
        }
    }
}

fn write(env: &Env, name: &str, text: &str, encoding: Encoding) -> PathBuf {
    env.write(name, &encoded(text, encoding))
}

#[test]
fn the_national_penalty_template_imports_as_exported_in_utf8_bom_and_gbk() {
    for (encoding, label) in [
        (Encoding::Utf8, "UTF-8"),
        (Encoding::Utf8Bom, "UTF-8 with BOM"),
        (Encoding::Gbk, "GBK"),
    ] {
        let env = Env::new();
        let text = file(&PENALTY_COLUMNS, &penalty_rows(COMPANY_ORG_CODE));
        let path = write(&env, "行政处罚.csv", &text, encoding);
        let out = env.import(&["--category", "admin_penalty"], &path);
        assert!(out.status.success(), "{label}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("3 rows: 3 created"),
            "{label}: {}",
            stderr(&out)
        );

        let company = env.records(COMPANY);
        assert_eq!(company.len(), 1, "{label}");
        let r = &company[0];
        assert_eq!(r.subject_name, "北京示例科技有限公司", "{label}");
        // No tier column: the catalogue's default tier of the category.
        assert_eq!(r.tier, Some(xinyong_domain::Tier::General), "{label}");
        assert_eq!(r.fields["legal_representative"], "张三", "{label}");
        assert_eq!(r.fields["source_unit_code"], AUTHORITY, "{label}");
        assert_eq!(r.decided_on.to_string(), "2026-09-01", "{label}");
        // The legacy identifiers and the representative's document are not kept as fields.
        let fields = serde_json::to_string(&r.fields).unwrap();
        assert!(!fields.contains("60003734"), "{label}: {fields}");
        assert!(!fields.contains(REPRESENTATIVE_ID), "{label}: {fields}");

        let shop = env.records(SHOP);
        assert_eq!(shop.len(), 1, "{label}");
        assert_eq!(
            shop[0].subject_kind,
            xinyong_domain::SubjectKind::IndividualBusiness
        );
        let person = env.records(PERSON);
        assert_eq!(person.len(), 1, "{label}");
        assert_eq!(
            person[0].subject_kind,
            xinyong_domain::SubjectKind::NaturalPerson
        );
    }
}

#[test]
fn the_representatives_identity_number_is_never_kept() {
    let env = Env::new();
    let text = file(&PENALTY_COLUMNS, &penalty_rows(COMPANY_ORG_CODE));
    let path = write(&env, "penalties.csv", &text, Encoding::Utf8);
    let out = env.import(&["--category", "admin_penalty"], &path);
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::remove_file(&path).unwrap();
    for entry in std::fs::read_dir(env.path("")).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            let bytes = std::fs::read(entry.path()).unwrap();
            let found = bytes
                .windows(REPRESENTATIVE_ID.len())
                .any(|w| w == REPRESENTATIVE_ID.as_bytes());
            assert!(!found, "{} holds the number", entry.path().display());
        }
    }
    // Nor in a rejects report of a file with a bad row.
    let bad = file(
        &PENALTY_COLUMNS,
        &penalty_rows(COMPANY_ORG_CODE).replace("2026/09/01", "2026/13/01"),
    );
    let path = write(&env, "bad.csv", &bad, Encoding::Utf8);
    let rejects = env.path("rejects.jsonl");
    let out = env.import(
        &[
            "--category",
            "admin_penalty",
            "--partial",
            "--rejects",
            rejects.to_str().unwrap(),
        ],
        &path,
    );
    let report = std::fs::read_to_string(&rejects).unwrap();
    assert!(report.contains("2026/13/01"), "{}: {report}", stderr(&out));
    assert!(!report.contains(REPRESENTATIVE_ID), "{report}");
}

#[test]
fn the_tier_of_a_template_file_comes_from_the_tier_flag_when_given() {
    let env = Env::new();
    let text = file(&PENALTY_COLUMNS, &penalty_rows(COMPANY_ORG_CODE));
    let path = write(&env, "serious.csv", &text, Encoding::Gbk);
    let out = env.import(&["--category", "admin_penalty", "--tier", "严重"], &path);
    assert!(out.status.success(), "{}", stderr(&out));
    let r = &env.records(COMPANY)[0];
    assert_eq!(r.tier, Some(xinyong_domain::Tier::Serious));
}

#[test]
fn legacy_identifiers_are_checked_and_a_mismatch_names_row_and_column() {
    let env = Env::new();
    // A well-formed organisation code that is not the company's own: the row names two
    // subjects, and nothing of the file is stored.
    let text = file(&PENALTY_COLUMNS, &penalty_rows(OTHER_ORG_CODE));
    let path = write(&env, "mismatch.csv", &text, Encoding::Utf8Bom);
    let out = env.import(&["--category", "admin_penalty"], &path);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("row 2: 行政相对人代码_3(组织机构代码): organisation code D2143569X"),
        "{err}"
    );
    assert!(env.records(SHOP).is_empty(), "a rejected file stored rows");

    // A wrong check character, and a registration number that is not 13 or 15 digits.
    let text = file(&PENALTY_COLUMNS, &penalty_rows("60003734-2")).replacen(
        &format!("{COMPANY},,60003734-2,,"),
        &format!("{COMPANY},110108000000017,60003734-2,12345,"),
        1,
    );
    let path = write(&env, "check.csv", &text, Encoding::Utf8);
    let err = stderr(&env.import(&["--category", "admin_penalty"], &path));
    for expected in [
        "row 2: 行政相对人代码_3(组织机构代码): 60003734-2: the check character should be 1",
        "row 2: 行政相对人代码_2(工商注册号): 110108000000017: the check digit (last) does not match",
        "row 2: 行政相对人代码_4(税务登记号): a tax registration number (税务登记号) is 15, 18 or 20",
    ] {
        assert!(err.contains(expected), "{expected}\n{err}");
    }
}

#[test]
fn an_organisation_value_with_a_persons_number_is_refused() {
    let env = Env::new();
    let rows = penalty_rows(COMPANY_ORG_CODE).replace("自然人", "法人及非法人组织");
    let path = write(
        &env,
        "kind.csv",
        &file(&PENALTY_COLUMNS, &rows),
        Encoding::Utf8,
    );
    let err = stderr(&env.import(&["--category", "admin_penalty"], &path));
    assert!(
        err.contains("row 4: 行政相对人类别: \"法人及非法人组织\" says an organisation"),
        "{err}"
    );
    // A passport number cannot key a natural person.
    let rows = penalty_rows(COMPANY_ORG_CODE).replace(",身份证,1101", ",护照,1101");
    let path = write(
        &env,
        "passport.csv",
        &file(&PENALTY_COLUMNS, &rows),
        Encoding::Utf8,
    );
    let err = stderr(&env.import(&["--category", "admin_penalty"], &path));
    assert!(err.contains("row 4: 证件类型: \"护照\""), "{err}");
}

fn licence_rows(status: &str) -> String {
    let values = [
        ("行政相对人名称", "北京示例科技有限公司"),
        ("行政相对人类别", "法人及非法人组织"),
        ("行政相对人代码_1(统一社会信用代码)", COMPANY),
        ("法定代表人", "张三"),
        ("行政许可决定文书名称", "食品经营许可决定书"),
        ("行政许可决定文书号", "深市监许〔2026〕88号"),
        ("许可类别", "普通"),
        ("许可证书名称", "食品经营许可证"),
        ("许可编号", "JY14403050000001"),
        ("许可内容", "预包装食品销售"),
        ("许可决定日期", "2026-08-15"),
        ("有效期自", "2026-08-15"),
        ("有效期至", "2031-08-14"),
        ("许可机关", "深圳市市场监督管理局"),
        ("许可机关统一社会信用代码", AUTHORITY),
        ("当前状态", status),
        ("数据来源单位", "深圳市市场监督管理局"),
    ];
    row(&LICENCE_COLUMNS, &values)
}

#[test]
fn the_national_licence_template_imports_with_the_legal_basis_given_for_the_file() {
    for encoding in [Encoding::Utf8, Encoding::Utf8Bom, Encoding::Gbk] {
        let env = Env::new();
        let path = write(
            &env,
            "许可.csv",
            &file(&LICENCE_COLUMNS, &licence_rows("1")),
            encoding,
        );
        // The licence template has no legal-basis column: the import says which flag gives it.
        let out = env.import(&["--category", "admin_license"], &path);
        assert!(!out.status.success());
        assert!(
            stderr(&out).contains("row 2: legal_basis: is required"),
            "{}",
            stderr(&out)
        );
        let basis = "《中华人民共和国食品安全法》第三十五条";
        let out = env.import(
            &["--category", "admin_license", "--legal-basis", basis],
            &path,
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let r = &env.records(COMPANY)[0];
        assert_eq!(r.legal_basis, basis);
        assert_eq!(r.fields["decision_document_name"], "食品经营许可决定书");
        assert_eq!(r.fields["license_no"], "JY14403050000001");
        assert_eq!(r.tier, None);
    }
}

#[test]
fn a_licence_no_longer_in_force_is_refused_naming_its_status_column() {
    let env = Env::new();
    let path = write(
        &env,
        "void.csv",
        &file(&LICENCE_COLUMNS, &licence_rows("2")),
        Encoding::Utf8,
    );
    let err = stderr(&env.import(
        &[
            "--category",
            "admin_license",
            "--legal-basis",
            "《行政许可法》",
        ],
        &path,
    ));
    assert!(
        err.contains("row 2: 当前状态: the decision is no longer in force"),
        "{err}"
    );
}
