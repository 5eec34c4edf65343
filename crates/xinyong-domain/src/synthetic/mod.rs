//! A deterministic synthetic data set: valid codes with real division codes, plausible Chinese
//! names, departments and records across every category and tier. Used by `xinyong demo`, the
//! tests and the benchmarks. Records come out as [`RawRecord`]s so that demo data takes the same
//! validation path as a department's upload.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Days, NaiveDate};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value};

use crate::catalogue::{Catalogue, CoreAttribute, FieldType};
use crate::code::{CitizenId, DivisionCode, UnifiedCode, divisions};
use crate::department::Department;
use crate::record::RawRecord;
use crate::role::RoleRegistration;
use crate::subject::SubjectKind;

const TRADE_CHARS: &[&str] = &[
    "华", "瑞", "鑫", "达", "恒", "通", "信", "德", "源", "泰", "宏", "金", "安", "盛", "博", "创",
    "远", "海", "天", "正", "嘉", "锦", "永", "润", "佳", "丰", "和", "新", "星", "光", "明", "兴",
    "诚", "弘", "裕", "辉", "腾", "凯", "隆", "顺", "联", "汇", "鼎", "峰", "晟", "昌", "伟", "立",
];
const INDUSTRIES: &[&str] = &[
    "科技",
    "贸易",
    "建筑工程",
    "餐饮管理",
    "物流",
    "电子",
    "医药",
    "环保科技",
    "食品",
    "房地产开发",
    "网络技术",
    "机械设备",
    "纺织",
    "化工",
    "文化传媒",
    "教育咨询",
    "汽车服务",
    "农业发展",
    "新能源",
    "生物科技",
    "供应链管理",
    "装饰工程",
    "信息技术",
    "实业",
];
const SUFFIXES: &[&str] = &["有限公司", "有限公司", "有限责任公司", "股份有限公司"];
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "建华", "文", "华", "红", "志强", "晓东", "海燕",
    "思远",
];

mod departments;
use departments::{DEPARTMENTS, Scenario};

/// The region the demo platform serves (Shenzhen): its departments are registered there.
const HOME_DIVISION: &str = "440300";
const HOME_NAME: &str = "深圳市";

/// A generated subject with the records departments hold about it.
#[derive(Debug, Clone)]
pub struct SyntheticSubject {
    pub code: String,
    pub name: String,
    pub kind: SubjectKind,
    /// (submitting department code, record).
    pub records: Vec<(String, RawRecord)>,
    /// (registering department code, role) for a person in a regulated role: register
    /// these before storing the professional records that attach to them.
    pub roles: Vec<(String, RoleRegistration)>,
}

/// Deterministic generator: the same seed and `today` give the same data set.
pub struct Synthetic<'a> {
    rng: ChaCha8Rng,
    catalogue: &'a Catalogue,
    today: NaiveDate,
    departments: Vec<Department>,
    counties: Vec<DivisionCode>,
    serial: u64,
    /// How many times each subject's records are drawn (1: about 2.5 records a subject).
    rounds: u32,
    /// Which draw the record being made belongs to (its document number says so).
    round: u32,
    /// Hashes of the codes handed out, so that no code is handed out twice (a repeat would
    /// be the same subject, and `demo --subjects N` must make N).
    seen: std::collections::HashSet<u64>,
    /// The draws for people in roles, a stream of their own: adding roles left every
    /// earlier demo data set as it was.
    role_rng: ChaCha8Rng,
    /// Enterprises handed out lately (code, name): where in-house lawyers work, so that an
    /// enterprise's page lists its people in roles.
    employers: Vec<(String, String)>,
}

impl<'a> Synthetic<'a> {
    pub fn new(catalogue: &'a Catalogue, seed: u64, today: NaiveDate) -> Synthetic<'a> {
        // Department codes depend only on the home region, not on the seed, so that tokens
        // and imports made for one demo database work for another.
        let mut dept_rng = ChaCha8Rng::seed_from_u64(0x5859_4459);
        let home = DivisionCode::parse(HOME_DIVISION).ok();
        let departments = DEPARTMENTS
            .iter()
            .filter_map(|spec| {
                let code = UnifiedCode::generate(&mut dept_rng, '1', '1', home.as_ref()?);
                Some(Department {
                    code: code.as_str().to_owned(),
                    name: format!("{HOME_NAME}{}", spec.suffix),
                    categories: spec
                        .categories
                        .iter()
                        .filter(|c| catalogue.category(c).is_some())
                        .map(|c| (*c).to_owned())
                        .collect::<BTreeSet<_>>(),
                    lists: spec.lists.iter().map(|l| (*l).to_owned()).collect(),
                    professions: spec.professions.iter().map(|p| (*p).to_owned()).collect(),
                })
            })
            .collect();
        let counties = divisions().current_counties().map(|d| d.code).collect();
        Synthetic {
            rng: ChaCha8Rng::seed_from_u64(seed),
            role_rng: ChaCha8Rng::seed_from_u64(seed ^ 0x524f_4c45),
            employers: Vec::new(),
            catalogue,
            today,
            departments,
            counties,
            serial: 0,
            rounds: 1,
            round: 0,
            seen: std::collections::HashSet::new(),
        }
    }

    /// Draws each subject's records `rounds` times (at least once): about 2.5 × `rounds`
    /// records a subject, for benchmarks that need many records per subject (4 rounds give
    /// 10,000,000 records for 1,000,000 subjects). One round gives exactly the data set of
    /// [`Synthetic::new`].
    pub fn with_rounds(mut self, rounds: u32) -> Synthetic<'a> {
        self.rounds = rounds.max(1);
        self
    }

    pub fn departments(&self) -> &[Department] {
        &self.departments
    }

    fn region_name(&self, county: DivisionCode) -> String {
        let table = divisions();
        let generic = |n: &str| {
            matches!(
                n,
                "市辖区" | "县" | "省直辖县级行政区划" | "自治区直辖县级行政区划"
            )
        };
        table
            .get(county.prefecture())
            .filter(|d| !generic(d.name))
            .or_else(|| table.get(county.province()))
            .map(|d| d.name.to_string())
            .unwrap_or_default()
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        // Every list passed here is a non-empty constant.
        *items.choose(&mut self.rng).unwrap_or(&items[0])
    }

    fn person_name(&mut self) -> String {
        format!("{}{}", self.pick(SURNAMES), self.pick(GIVEN))
    }

    /// Generates the next subject with its records: a code not handed out before, and at
    /// least one record (a subject exists on the platform only through its records).
    pub fn next_subject(&mut self) -> SyntheticSubject {
        loop {
            let subject = self.candidate();
            let hash = {
                use std::hash::{Hash, Hasher};
                let mut h = std::collections::hash_map::DefaultHasher::new();
                subject.code.hash(&mut h);
                h.finish()
            };
            if !subject.records.is_empty() && self.seen.insert(hash) {
                if subject.kind == SubjectKind::LegalPerson && self.employers.len() < 64 {
                    self.employers
                        .push((subject.code.clone(), subject.name.clone()));
                }
                return subject;
            }
        }
    }

    fn candidate(&mut self) -> SyntheticSubject {
        self.serial += 1;
        let county = self.counties[self.rng.random_range(0..self.counties.len())];
        let roll: f64 = self.rng.random();
        let (kind, code, name) = if roll < 0.05 {
            let id = CitizenId::generate(&mut self.rng, &county, 1950..=2004);
            (
                SubjectKind::NaturalPerson,
                id.as_str().to_owned(),
                self.person_name(),
            )
        } else if roll < 0.15 {
            let code = UnifiedCode::generate(&mut self.rng, '9', '2', &county);
            let region = self.region_name(county);
            let name = format!(
                "{region}{}{}{}店",
                self.pick(TRADE_CHARS),
                self.pick(TRADE_CHARS),
                self.pick(&["便利", "餐饮", "五金", "服装", "理发", "水果"])
            );
            (
                SubjectKind::IndividualBusiness,
                code.as_str().to_owned(),
                name,
            )
        } else if roll < 0.18 {
            let code = UnifiedCode::generate(&mut self.rng, '5', '2', &county);
            let region = self.region_name(county);
            let name = format!(
                "{region}{}{}行业协会",
                self.pick(TRADE_CHARS),
                self.pick(INDUSTRIES)
            );
            (SubjectKind::OtherOrg, code.as_str().to_owned(), name)
        } else if roll < 0.19 {
            let code = UnifiedCode::generate(&mut self.rng, '1', '1', &county);
            let region = self.region_name(county);
            let name = format!(
                "{region}{}",
                self.pick(&[
                    "交通运输局",
                    "教育局",
                    "水务局",
                    "城市管理局",
                    "卫生健康委员会"
                ])
            );
            (SubjectKind::GovernmentBody, code.as_str().to_owned(), name)
        } else if roll < 0.20 {
            let code = UnifiedCode::generate(&mut self.rng, '9', '3', &county);
            let region = self.region_name(county);
            let name = format!(
                "{region}{}{}{}专业合作社",
                self.pick(TRADE_CHARS),
                self.pick(TRADE_CHARS),
                self.pick(&["果蔬种植", "水产养殖", "茶叶", "花卉", "畜禽养殖", "农机"])
            );
            (
                SubjectKind::FarmerCooperative,
                code.as_str().to_owned(),
                name,
            )
        } else {
            let code = UnifiedCode::generate(&mut self.rng, '9', '1', &county);
            let region = self.region_name(county);
            let name = format!(
                "{region}{}{}{}{}",
                self.pick(TRADE_CHARS),
                self.pick(TRADE_CHARS),
                self.pick(INDUSTRIES),
                self.pick(SUFFIXES)
            );
            (SubjectKind::LegalPerson, code.as_str().to_owned(), name)
        };

        // How likely each category is for this kind of subject.
        let odds: &[(&str, f64)] = match kind {
            SubjectKind::NaturalPerson => &[
                ("admin_penalty", 0.3),
                ("court_defaulter", 0.3),
                ("social_insurance_arrears", 0.2),
                ("honour", 0.1),
            ],
            SubjectKind::GovernmentBody => &[
                ("credit_commitment", 0.5),
                ("court_defaulter", 0.1),
                ("court_judgment", 0.1),
                ("commitment_breach", 0.05),
                ("honour", 0.3),
            ],
            _ => &[
                ("admin_license", 0.9),
                ("admin_penalty", 0.3),
                ("court_defaulter", 0.05),
                ("tax_violation", 0.03),
                ("abnormal_operation", 0.08),
                ("credit_commitment", 0.2),
                ("honour", 0.08),
                ("tax_credit_rating", 0.3),
                ("social_insurance_arrears", 0.03),
                ("procurement_serious", 0.01),
                ("red_a_taxpayer", 0.05),
                ("commitment_breach", 0.01),
                ("court_judgment", 0.02),
            ],
        };
        let mut records = Vec::new();
        records.extend(self.registration(&code, &name, kind, county));
        for round in 0..self.rounds {
            self.round = round;
            for (category, p) in odds {
                if self.rng.random::<f64>() < *p
                    && let Some(r) = self.record(category, &code, &name, kind)
                {
                    records.push(r);
                }
            }
        }
        if records.is_empty() {
            // Every subject holds something: a licence, an honour or a commitment.
            let fallback = match kind {
                SubjectKind::NaturalPerson => "honour",
                SubjectKind::GovernmentBody => "credit_commitment",
                _ => "admin_license",
            };
            records.extend(self.record(fallback, &code, &name, kind));
        }
        let mut roles = Vec::new();
        if kind == SubjectKind::NaturalPerson {
            std::mem::swap(&mut self.rng, &mut self.role_rng);
            self.role(&code, &name, county, &mut roles, &mut records);
            std::mem::swap(&mut self.rng, &mut self.role_rng);
        }
        SyntheticSubject {
            code,
            name,
            kind,
            records,
            roles,
        }
    }

    /// Makes some persons lawyers at a law firm or civil servants of a department, with the
    /// professional records that attach to their role.
    fn role(
        &mut self,
        code: &str,
        name: &str,
        county: DivisionCode,
        roles: &mut Vec<(String, RoleRegistration)>,
        records: &mut Vec<(String, RawRecord)>,
    ) {
        let roll: f64 = self.rng.random();
        let (profession, category, p_record) = match roll {
            r if r < 0.25 => ("lawyer", "professional_discipline", 0.5),
            r if r < 0.40 => ("civil_servant", "civil_servant_integrity", 0.8),
            _ => return,
        };
        let Some(registrar) = self
            .departments
            .iter()
            .find(|d| d.registers_profession(profession))
            .cloned()
        else {
            return;
        };
        let (organisation, organisation_name) = if profession == "civil_servant" {
            (registrar.code.clone(), registrar.name.clone())
        } else if !self.employers.is_empty() && self.rng.random::<f64>() < 0.5 {
            // An in-house lawyer (公司律师) of an enterprise the demo holds.
            let i = self.rng.random_range(0..self.employers.len());
            self.employers[i].clone()
        } else {
            let firm = UnifiedCode::generate(&mut self.rng, '3', '1', &county);
            let region = self.region_name(county);
            let firm_name = format!(
                "{}{}{}律师事务所",
                region,
                self.pick(TRADE_CHARS),
                self.pick(TRADE_CHARS)
            );
            (firm.as_str().to_owned(), firm_name)
        };
        // In the role since well before any decision the demo makes (at most four years ago).
        let years = self.rng.random_range(5..25);
        let since = self
            .today
            .checked_sub_days(Days::new(years * 365))
            .unwrap_or(self.today);
        let licence_no = match profession {
            "civil_servant" => format!("GWY{}{:08}", since.format("%Y"), self.serial),
            _ => format!(
                "1{}{}{:08}",
                county.as_string(),
                since.format("%Y"),
                self.serial
            ),
        };
        roles.push((
            registrar.code.clone(),
            RoleRegistration {
                person_code: code.to_owned(),
                person_name: name.to_owned(),
                organisation_code: organisation.clone(),
                profession: profession.to_owned(),
                licence_no: licence_no.clone(),
                since: since.to_string(),
                until: None,
            },
        ));
        if self.rng.random::<f64>() < p_record
            && let Some((dept, mut raw)) =
                self.record(category, code, name, SubjectKind::NaturalPerson)
        {
            raw.fields
                .insert("licence_no".into(), Value::String(licence_no));
            raw.fields
                .insert("organisation_code".into(), Value::String(organisation));
            if raw.fields.contains_key("organisation_name") || profession == "lawyer" {
                raw.fields
                    .insert("organisation_name".into(), Value::String(organisation_name));
            }
            records.push((dept, raw));
        }
    }

    fn record(
        &mut self,
        category_id: &str,
        code: &str,
        name: &str,
        kind: SubjectKind,
    ) -> Option<(String, RawRecord)> {
        let catalogue = self.catalogue;
        let category = catalogue.category(category_id)?;
        if !category.subject_kinds.contains(&kind) {
            return None;
        }
        let candidates: Vec<&Department> = self
            .departments
            .iter()
            .filter(|d| d.may_submit(category_id))
            .collect();
        let dept = (*candidates.choose(&mut self.rng)?).clone();
        let scenarios: Vec<&'static Scenario> = DEPARTMENTS
            .iter()
            .find(|spec| dept.name.ends_with(spec.suffix))
            .map(|spec| {
                spec.scenarios
                    .iter()
                    .filter(|sc| sc.category == category_id)
                    .collect()
            })
            .unwrap_or_default();
        let scenario = scenarios.choose(&mut self.rng).copied();
        // Decisions spread over the last four years, so that some publicity periods have ended.
        let age_days = self.rng.random_range(1..=4 * 365);
        let decided = self.today.checked_sub_days(Days::new(age_days))?;
        let year = decided.format("%Y");
        let abbrev: String = dept
            .name
            .chars()
            .skip(HOME_NAME.chars().count())
            .take(2)
            .collect();
        let number = self.serial * 10 + self.rng.random_range(0..10);
        // A later round's record is another decision, never a new version of an earlier one.
        let document_no = match self.round {
            0 => format!("深{abbrev}〔{year}〕{number}号"),
            r => format!("深{abbrev}〔{year}〕{number}-{r}号"),
        };

        let mut raw = RawRecord::default();
        raw.set(CoreAttribute::Category, "category", category_id);
        raw.set(CoreAttribute::SubjectCode, "subject.code", code);
        raw.set(CoreAttribute::SubjectName, "subject.name", name);
        raw.set(CoreAttribute::SubjectKind, "subject.kind", kind.as_str());
        raw.set(CoreAttribute::DocumentNo, "document_no", document_no);
        raw.set(CoreAttribute::DecidedOn, "decided_on", decided.to_string());
        raw.set(
            CoreAttribute::LegalBasis,
            "legal_basis",
            category.legal_basis.clone(),
        );
        if category.has_tiers() {
            let weights: [(f64, &str); 3] = [(0.2, "minor"), (0.5, "general"), (0.3, "serious")];
            let allowed: Vec<&str> = category.tiers.iter().map(|t| t.tier.as_str()).collect();
            let mut r: f64 = self.rng.random();
            let mut tier = allowed[0];
            for (w, t) in weights {
                if allowed.contains(&t) {
                    tier = t;
                }
                if r < w && allowed.contains(&t) {
                    break;
                }
                r -= w;
            }
            raw.set(CoreAttribute::Tier, "tier", tier);
        }
        let mut fields = Map::new();
        for spec in &category.fields {
            let given = scenario.and_then(|sc| sc.fields.iter().find(|(k, _)| *k == spec.name));
            if let Some((_, value)) = given {
                // An empty value in a scenario: the field does not apply to this decision.
                if !value.is_empty() {
                    fields.insert(spec.name.clone(), Value::String((*value).to_owned()));
                }
                continue;
            }
            if !spec.required && self.rng.random::<f64>() < 0.5 {
                continue;
            }
            let value: Value = match spec.field_type {
                FieldType::Enum => Value::String(self.pick_str(&spec.values)),
                FieldType::Date => Value::String(decided.to_string()),
                FieldType::Decimal => Value::String(format!(
                    "{}.{:02}",
                    self.rng.random_range(0..500),
                    self.rng.random_range(0..100)
                )),
                FieldType::Integer if spec.name.ends_with("year") => Value::from(
                    decided
                        .format("%Y")
                        .to_string()
                        .parse::<i64>()
                        .unwrap_or(2024)
                        - 1,
                ),
                FieldType::Integer => Value::from(self.rng.random_range(18..80)),
                FieldType::Code => Value::String(dept.code.clone()),
                FieldType::String | FieldType::Text => {
                    match self.phrase(category_id, &spec.name, &dept.name) {
                        Some(text) => Value::String(text),
                        None if spec.required => Value::String(dept.name.clone()),
                        None => continue,
                    }
                }
            };
            fields.insert(spec.name.clone(), value);
        }
        raw.fields = fields;
        Some((dept.code.clone(), raw))
    }

    /// The registration the market regulator publishes about an enterprise, cooperative or
    /// individual business: its legal representative, date of establishment, address.
    fn registration(
        &mut self,
        code: &str,
        name: &str,
        kind: SubjectKind,
        county: DivisionCode,
    ) -> Option<(String, RawRecord)> {
        let registers = matches!(
            kind,
            SubjectKind::LegalPerson
                | SubjectKind::FarmerCooperative
                | SubjectKind::IndividualBusiness
        );
        let category = self.catalogue.category("registration")?;
        if !registers || !category.subject_kinds.contains(&kind) {
            return None;
        }
        let dept = self
            .departments
            .iter()
            .find(|d| d.may_submit("registration"))?
            .clone();
        // The last change of registration, within the last three years; founded before it.
        let approved = self
            .today
            .checked_sub_days(Days::new(self.rng.random_range(1..=3 * 365)))?;
        let established =
            approved.checked_sub_days(Days::new(self.rng.random_range(0..=20 * 365)))?;
        let region = self.region_name(county);
        let address = format!(
            "{region}{}{}路{}号",
            self.pick(TRADE_CHARS),
            self.pick(TRADE_CHARS),
            self.rng.random_range(1..300)
        );
        let scope = match kind {
            SubjectKind::FarmerCooperative => {
                "组织采购、供应成员所需的生产资料；组织收购、销售成员生产的产品"
            }
            SubjectKind::IndividualBusiness => "日用百货零售；餐饮服务",
            _ => self.pick(&[
                "技术开发、技术咨询、技术服务；软件开发；信息系统集成服务",
                "货物进出口；技术进出口；国内贸易代理",
                "房屋建筑工程施工；市政公用工程施工",
                "食品经营；日用百货销售",
            ]),
        };
        let mut raw = RawRecord::default();
        raw.set(CoreAttribute::Category, "category", "registration");
        raw.set(CoreAttribute::SubjectCode, "subject.code", code);
        raw.set(CoreAttribute::SubjectName, "subject.name", name);
        raw.set(CoreAttribute::SubjectKind, "subject.kind", kind.as_str());
        raw.set(
            CoreAttribute::DocumentNo,
            "document_no",
            format!("登记{code}"),
        );
        raw.set(CoreAttribute::DecidedOn, "decided_on", approved.to_string());
        raw.set(
            CoreAttribute::LegalBasis,
            "legal_basis",
            category.legal_basis.clone(),
        );
        let mut fields = Map::new();
        let mut put = |k: &str, v: String| {
            fields.insert(k.to_owned(), Value::String(v));
        };
        put("legal_representative", self.person_name());
        put("established_on", established.to_string());
        // Registered where it is; the platform's market regulator passes the record on.
        put("registration_authority", format!("{region}市场监督管理局"));
        put("address", address);
        put(
            "registered_capital_10k_yuan",
            format!("{}", self.pick(&[10, 50, 100, 200, 500, 1000, 3000, 5000])),
        );
        put("business_scope", scope.to_owned());
        put("registration_status", "存续".to_owned());
        raw.fields = fields;
        Some((dept.code.clone(), raw))
    }

    fn pick_str(&mut self, values: &[String]) -> String {
        values.choose(&mut self.rng).cloned().unwrap_or_default()
    }

    /// A value for a text field of `category` that fits it, `None` where the demo has none
    /// (an optional field is then left out rather than filled with something unrelated).
    fn phrase(&mut self, category: &str, field: &str, department: &str) -> Option<String> {
        let table: BTreeMap<&str, &[&str]> = BTreeMap::from([
            (
                "credit_commitment.content",
                &[
                    "本单位承诺所提交的申请材料真实、合法、有效",
                    "本单位承诺在六个月内补齐所缺申请材料",
                    "本单位承诺依法纳税并按时足额缴纳社会保险费",
                ][..],
            ),
            (
                "tax_violation.facts",
                &["通过虚假纳税申报少缴增值税", "虚开增值税专用发票"][..],
            ),
            (
                "behaviour",
                &[
                    "有履行能力而拒不履行生效法律文书确定的义务",
                    "违反财产报告制度",
                ][..],
            ),
            (
                "breach",
                &["未在承诺期限内补齐申请材料", "承诺事项与核查情况不符"][..],
            ),
            (
                "judgment",
                &[
                    "判令被告于判决生效之日起十日内支付工程款人民币八十万元",
                    "判令被告返还借款人民币十二万元及利息",
                ][..],
            ),
            (
                "penalty",
                &["列入不良行为记录名单，一年内禁止参加政府采购活动"][..],
            ),
            (
                "obligation",
                &[
                    "支付货款人民币三十万元及利息",
                    "返还借款人民币十二万元",
                    "支付工程款人民币八十万元",
                ][..],
            ),
            (
                "matter",
                &["申请食品经营许可", "参与政府采购投标", "申请财政补贴资金"][..],
            ),
            (
                "title",
                &[
                    "守合同重信用企业",
                    "纳税信用A级纳税人",
                    "安全生产先进单位",
                    "优秀民营企业",
                ][..],
            ),
            (
                "handling",
                &["依法追缴税款并处一倍罚款", "移送公安机关处理"][..],
            ),
            (
                "arrears_period",
                &["2023年1月至2023年12月", "2024年3月至2024年9月"][..],
            ),
        ]);
        const UNITS: &[&str] = &[
            "authority",
            "source_unit",
            "basis_unit",
            "tax_authority",
            "accepting_unit",
            "awarding_body",
            "social_security_office",
            "registration_authority",
        ];
        let options = table
            .get(format!("{category}.{field}").as_str())
            .or_else(|| table.get(field))
            .copied();
        Some(match options {
            Some(options) => self.pick(options).to_owned(),
            None if field.contains("person") || field.contains("representative") => {
                self.person_name()
            }
            None if field.contains("court") => format!("{HOME_NAME}中级人民法院"),
            None if field.contains("no") || field.contains("record") => format!(
                "{HOME_NAME}〔{}〕{}号",
                self.today.format("%Y"),
                self.rng.random_range(100..9999)
            ),
            None if UNITS.contains(&field) => department.to_owned(),
            None => return None,
        })
    }
}

#[cfg(test)]
mod tests;
