//! The national "double publicity" templates (DOMAIN.md): besides the fields of a category,
//! every row of a penalty or licence export carries the subject's legacy identifiers, the
//! document type of a natural person's number and the legal representative's document.
//! Departments cannot re-shape their exports, so these columns are read here: the legacy
//! identifiers are checked (a wrong one means the row may be about someone else) and then not
//! kept, the platform keys every subject by its unified code; the representative's identity
//! number is never kept (personal data of someone who is not the subject).
//!
//! Which headers name which column is data (`[template_columns]` in the catalogue); what each
//! column means is here.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::code::SubjectCode;

/// A column of the national templates that is neither a core attribute nor a category field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateColumn {
    /// 工商注册号: the market-regulation registration number before unified codes (13 or 15
    /// digits; the 15-digit form ends in an ISO 7064 MOD 11,10 check digit).
    RegistrationNo,
    /// 组织机构代码 (GB 11714): eight characters and a check character; the unified code holds
    /// it at positions 9 to 17.
    OrganisationCode,
    /// 税务登记号: 15 characters (region and organisation code), 18 (a unified code) or 20
    /// (an identity number and two digits).
    TaxRegistrationNo,
    /// 事业单位证书号: twelve digits.
    InstitutionCertificateNo,
    /// 社会组织登记证号: free form (民证字第…号).
    SocialOrganisationNo,
    /// 证件类型: the kind of document whose number keys a natural person.
    DocumentType,
    /// 法定代表人证件类型.
    RepresentativeDocumentType,
    /// 法定代表人证件号码: personal data of someone who is not the subject; never kept.
    RepresentativeDocumentNo,
    /// 当前状态 of a licence: 1 (有效) in force, 2 (无效) not. Only decisions in force are
    /// published as such; a licence no longer in force is refused, naming the column.
    CurrentStatus,
}

impl TemplateColumn {
    pub const ALL: [TemplateColumn; 9] = [
        TemplateColumn::RegistrationNo,
        TemplateColumn::OrganisationCode,
        TemplateColumn::TaxRegistrationNo,
        TemplateColumn::InstitutionCertificateNo,
        TemplateColumn::SocialOrganisationNo,
        TemplateColumn::DocumentType,
        TemplateColumn::RepresentativeDocumentType,
        TemplateColumn::RepresentativeDocumentNo,
        TemplateColumn::CurrentStatus,
    ];
}

/// The values of the standard columns of one row, keyed by column, each with its header.
pub type TemplateValues = BTreeMap<TemplateColumn, (String, String)>;

/// Document types that name a resident identity card, the only document whose number keys a
/// natural person here.
const IDENTITY_CARD: [&str; 4] = [
    "身份证",
    "居民身份证",
    "身份证号",
    "中华人民共和国居民身份证",
];

/// Checks the standard columns of a row against each other and against the subject's code.
/// `subject` is the row's code once parsed (`None` when it did not parse: that error is
/// reported already). Each problem comes with the header of its column.
pub fn check(values: &TemplateValues, subject: Option<&SubjectCode>) -> Vec<(String, String)> {
    let embedded = match subject {
        Some(SubjectCode::Unified(u)) => Some(u.organisation_code()),
        _ => None,
    };
    let mut errors = Vec::new();
    for (column, (header, value)) in values {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        let problem = match column {
            TemplateColumn::RegistrationNo => check_registration_no(value),
            TemplateColumn::OrganisationCode => check_organisation_code(value, embedded),
            TemplateColumn::TaxRegistrationNo => {
                check_tax_registration_no(value, subject, embedded)
            }
            TemplateColumn::InstitutionCertificateNo => {
                if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
                    Ok(())
                } else {
                    Err("an institution certificate number is 12 digits".to_owned())
                }
            }
            TemplateColumn::SocialOrganisationNo | TemplateColumn::RepresentativeDocumentType => {
                crate::text::check_text(value, 64, crate::text::Lines::One).map(|_| ())
            }
            TemplateColumn::DocumentType => match subject {
                Some(SubjectCode::Citizen(_)) if !IDENTITY_CARD.contains(&value) => Err(format!(
                    "{value:?}: a natural person is keyed here by a resident identity card \
                     number (身份证); other documents cannot key a subject"
                )),
                _ => Ok(()),
            },
            // Never kept and never checked: checking would only echo it into messages.
            TemplateColumn::RepresentativeDocumentNo => Ok(()),
            TemplateColumn::CurrentStatus => match value {
                "1" | "有效" | "正常" => Ok(()),
                "2" | "无效" => Err("the decision is no longer in force (当前状态 2, 无效): \
                                     only decisions in force are imported; a withdrawn one \
                                     is a revocation of the record already published"
                    .to_owned()),
                _ => Err(format!("{value:?}: 当前状态 is 1 (有效) or 2 (无效)")),
            },
        };
        if let Err(message) = problem {
            errors.push((header.clone(), message));
        }
    }
    errors
}

/// 13 digits (before 2007), or 15 digits whose last is the ISO 7064 MOD 11,10 check digit.
fn check_registration_no(value: &str) -> Result<(), String> {
    let digits: Vec<u32> = value.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() != value.chars().count() || !(digits.len() == 13 || digits.len() == 15) {
        return Err("a registration number (工商注册号) is 13 or 15 digits".to_owned());
    }
    if digits.len() == 15 && mod_11_10(&digits[..14]) != digits[14] {
        return Err(format!("{value}: the check digit (last) does not match"));
    }
    Ok(())
}

/// The ISO 7064 MOD 11,10 check digit of `digits`.
fn mod_11_10(digits: &[u32]) -> u32 {
    let mut p = 10;
    for d in digits {
        let s = (p + d) % 10;
        let s = if s == 0 { 10 } else { s };
        p = (s * 2) % 11;
    }
    (11 - p) % 10
}

/// GB 11714: eight digits or capital letters, then a check character (a digit or X), with or
/// without a hyphen before it; and, where the row's subject has a unified code, the one inside
/// it (`embedded`): another means the row names two subjects.
fn check_organisation_code(value: &str, embedded: Option<&str>) -> Result<(), String> {
    let code: String = value.chars().filter(|&c| c != '-').collect();
    let bytes = code.as_bytes();
    let well_formed = bytes.len() == 9
        && bytes[..8]
            .iter()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        && (bytes[8].is_ascii_digit() || bytes[8] == b'X')
        && value.matches('-').count() <= 1;
    if !well_formed {
        return Err(
            "an organisation code (组织机构代码) is eight digits or capital letters and a check \
             character, like 12345678-9"
                .to_owned(),
        );
    }
    let check = char::from(crate::code::organisation_check(&bytes[..8]));
    if char::from(bytes[8]) != check {
        return Err(format!("{value}: the check character should be {check}"));
    }
    match embedded {
        Some(e) if e != code => Err(format!(
            "organisation code {code} is not the one inside the unified social credit code \
             ({e}): the row names two different subjects"
        )),
        _ => Ok(()),
    }
}

fn check_tax_registration_no(
    value: &str,
    subject: Option<&SubjectCode>,
    embedded: Option<&str>,
) -> Result<(), String> {
    // Every form is ASCII: byte positions below are character positions.
    if !value.is_ascii() {
        return Err(
            "a tax registration number (税务登记号) is digits and capital letters".to_owned(),
        );
    }
    match value.len() {
        15 => {
            let (region, org) = value.split_at(6);
            if !region.bytes().all(|b| b.is_ascii_digit()) {
                return Err(
                    "a 15-character tax registration number begins with six digits of \
                            its region"
                        .to_owned(),
                );
            }
            check_organisation_code(org, embedded)
        }
        18 => match (SubjectCode::parse(value), subject) {
            (Err(e), _) => Err(e.to_string()),
            (Ok(code), Some(s)) if code.as_str() != s.as_str() => Err(
                "an 18-character tax registration number is the unified social credit code, \
                 and this one is not the row's"
                    .to_owned(),
            ),
            (Ok(_), _) => Ok(()),
        },
        // An identity number and two digits: it holds a person's number, never quoted.
        20 => match SubjectCode::parse(&value[..18]) {
            Ok(SubjectCode::Citizen(_)) => Ok(()),
            _ => Err(
                "a 20-character tax registration number is an identity number and two digits"
                    .to_owned(),
            ),
        },
        _ => Err("a tax registration number (税务登记号) is 15, 18 or 20 characters".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn organisation_codes_carry_their_gb_11714_check_character() {
        // D2143569-X is the worked example of GB 11714-1997; the hyphen is not part of it.
        assert!(check_organisation_code("D2143569-X", Some("D2143569X")).is_ok());
        assert!(check_organisation_code("D2143569-1", None).is_err());
        assert!(check_organisation_code("d2143569X", None).is_err());
        assert!(check_organisation_code("D214-3569-X", None).is_err());
    }

    /// Tax numbers are cut at character positions 6 and 18; text with wider characters there
    /// (found reading the change again) must be an error, not a panic.
    #[test]
    fn a_tax_number_of_other_characters_is_refused_not_a_panic() {
        for value in ["a实实实实实实实实实实实实实实", "11010519491231002实X"] {
            let error = check_tax_registration_no(value, None, None).unwrap_err();
            assert!(error.contains("税务登记号"), "{value}: {error}");
        }
        assert!(check_tax_registration_no("440300600037341", None, Some("D2143569X")).is_err());
        assert!(check_tax_registration_no("440300600037341", None, None).is_ok());
        assert!(check_tax_registration_no("11010519491231002X01", None, None).is_ok());
    }

    #[test]
    fn registration_numbers_carry_their_mod_11_10_check_digit() {
        // 110108000000016 is the example of GS 15-2006.
        assert!(check_registration_no("110108000000016").is_ok());
        assert!(check_registration_no("110108000000017").is_err());
        assert!(check_registration_no("1101080000000").is_ok());
        assert!(check_registration_no("11010800000001").is_err());
    }

    #[test]
    fn an_organisation_code_must_be_the_one_inside_the_unified_code() {
        let subject = SubjectCode::parse("91350100M000100Y43").unwrap();
        let embedded = subject.as_str()[8..17].to_owned();
        let dashed = format!("{}-{}", &embedded[..8], &embedded[8..]);
        let mut values = TemplateValues::new();
        values.insert(
            TemplateColumn::OrganisationCode,
            ("组织机构代码".into(), dashed),
        );
        assert!(check(&values, Some(&subject)).is_empty());
        values.insert(
            TemplateColumn::OrganisationCode,
            ("组织机构代码".into(), "D2143569-X".into()),
        );
        let errors = check(&values, Some(&subject));
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0, "组织机构代码");
        assert!(errors[0].1.contains("two different subjects"));
    }
}
