//! Subjects: the enterprises, organisations, government bodies and persons that records are about.

use serde::{Deserialize, Serialize};

use crate::code::{CitizenId, CodeError, SubjectCode, UnifiedCode};

/// The kind of a credit subject. Natural persons are keyed by their citizen identity number,
/// every other kind by its Unified Social Credit Code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SubjectKind {
    LegalPerson,
    OtherOrg,
    IndividualBusiness,
    NaturalPerson,
    GovernmentBody,
    /// 农民专业合作社: registered by market regulation with a code beginning `93` (SPEC row
    /// 15, rural credit); graded by the rural model, not the general enterprise one.
    FarmerCooperative,
}

impl SubjectKind {
    pub const ALL: [SubjectKind; 6] = [
        SubjectKind::LegalPerson,
        SubjectKind::OtherOrg,
        SubjectKind::IndividualBusiness,
        SubjectKind::NaturalPerson,
        SubjectKind::GovernmentBody,
        SubjectKind::FarmerCooperative,
    ];

    /// The identifier used in the API, the catalogue and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::LegalPerson => "legal_person",
            SubjectKind::OtherOrg => "other_org",
            SubjectKind::IndividualBusiness => "individual_business",
            SubjectKind::NaturalPerson => "natural_person",
            SubjectKind::GovernmentBody => "government_body",
            SubjectKind::FarmerCooperative => "farmer_cooperative",
        }
    }

    pub fn parse(s: &str) -> Option<SubjectKind> {
        SubjectKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Organisations are graded by default; natural persons are not (SPEC: "No opaque scores").
    pub fn is_organisation(self) -> bool {
        self != SubjectKind::NaturalPerson
    }
}

impl std::fmt::Display for SubjectKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A subject as identified by a record. The code is parsed according to the kind: a natural
/// person must carry a valid citizen identity number, every other kind a valid USCC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub code: SubjectCode,
    pub name: String,
    pub kind: SubjectKind,
}

impl Subject {
    /// Parses the code that fits `kind`. A credit code's registration authority and type
    /// (characters 1-2) must not contradict the kind: `92` registers individual businesses
    /// and `11` government bodies, `93` farmer cooperatives; an individual business has no other code, a government body
    /// none outside the establishment authorities' `1x` (issue #11, item 5: a department could
    /// reclassify an enterprise as an individual business).
    pub fn parse_code(kind: SubjectKind, code: &str) -> Result<SubjectCode, CodeError> {
        if kind == SubjectKind::NaturalPerson {
            return CitizenId::parse(code).map(SubjectCode::Citizen);
        }
        let code = UnifiedCode::parse(code)?;
        let prefix: String = code.as_str().chars().take(2).collect();
        let registered = match prefix.as_str() {
            "92" => Some((SubjectKind::IndividualBusiness, "an individual business")),
            "11" => Some((SubjectKind::GovernmentBody, "a government body")),
            _ => None,
        };
        let mismatch = |registers| CodeError::KindMismatch {
            prefix: prefix.clone(),
            registers,
            kind: kind.as_str(),
        };
        match (registered, kind) {
            (Some((k, _)), _) if k == kind => {}
            (Some((_, registers)), _) => return Err(mismatch(registers)),
            (None, SubjectKind::IndividualBusiness) => {
                return Err(mismatch("no individual business (their codes begin 92)"));
            }
            // A cooperative is a legal person too: `93` codes may also be kept as such.
            (None, SubjectKind::FarmerCooperative) if prefix != "93" => {
                return Err(mismatch("no farmer cooperative (their codes begin 93)"));
            }
            // Bodies registered by the establishment authorities (1x) other than 11 organs,
            // such as mass organisations, may be kept as government bodies too.
            (None, SubjectKind::GovernmentBody) if !prefix.starts_with('1') => {
                return Err(mismatch("no government body (their codes begin 1)"));
            }
            (None, _) => {}
        }
        Ok(SubjectCode::Unified(code))
    }

    /// The code as the public may see it: natural persons' identity numbers are masked.
    pub fn public_code(&self) -> String {
        public_code(&self.code)
    }
}

/// The form of a subject code that may appear on public pages and public API responses.
pub fn public_code(code: &SubjectCode) -> String {
    match code {
        SubjectCode::Unified(c) => c.as_str().to_owned(),
        SubjectCode::Citizen(id) => id.masked(),
    }
}

/// The role in which a listed organisation's entry binds a person (最高人民法院关于限制被执行人
/// 高消费及有关消费的若干规定 第三条第二款).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RelatedRole {
    /// 法定代表人
    LegalRepresentative,
    /// 主要负责人
    PrincipalResponsiblePerson,
    /// 影响债务履行的直接责任人员 / 负有直接责任的人员
    DirectlyResponsiblePerson,
    /// 实际控制人 (may itself be an organisation)
    ActualController,
}

impl RelatedRole {
    pub const ALL: [RelatedRole; 4] = [
        RelatedRole::LegalRepresentative,
        RelatedRole::PrincipalResponsiblePerson,
        RelatedRole::DirectlyResponsiblePerson,
        RelatedRole::ActualController,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RelatedRole::LegalRepresentative => "legal_representative",
            RelatedRole::PrincipalResponsiblePerson => "principal_responsible_person",
            RelatedRole::DirectlyResponsiblePerson => "directly_responsible_person",
            RelatedRole::ActualController => "actual_controller",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            RelatedRole::LegalRepresentative => "法定代表人",
            RelatedRole::PrincipalResponsiblePerson => "主要负责人",
            RelatedRole::DirectlyResponsiblePerson => "直接责任人员",
            RelatedRole::ActualController => "实际控制人",
        }
    }

    /// Accepts the id or the Chinese name.
    pub fn parse(s: &str) -> Option<RelatedRole> {
        RelatedRole::ALL
            .into_iter()
            .find(|r| r.as_str() == s || r.name_zh() == s)
    }

    /// Whether only a natural person can hold the role (an actual controller may be an
    /// organisation).
    pub fn natural_person_only(self) -> bool {
        self != RelatedRole::ActualController
    }
}

impl std::fmt::Display for RelatedRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A person an organisation's entry also binds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RelatedPerson {
    /// Full code (a citizen identity number for natural persons): mask before public output.
    pub code: String,
    pub name: String,
    pub role: RelatedRole,
}

/// Infers a subject's kind from its code when the submitter gave none: a citizen number is a
/// natural person; a USCC tells its registration authority and organisation type.
pub fn infer_subject_kind(code: &str) -> Option<SubjectKind> {
    match SubjectCode::parse(code).ok()? {
        SubjectCode::Citizen(_) => Some(SubjectKind::NaturalPerson),
        SubjectCode::Unified(c) => {
            let mut chars = c.as_str().chars();
            Some(match (chars.next(), chars.next()) {
                (Some('9'), Some('2')) => SubjectKind::IndividualBusiness,
                (Some('9'), Some('3')) => SubjectKind::FarmerCooperative,
                (Some('1'), Some('1')) => SubjectKind::GovernmentBody,
                _ => SubjectKind::LegalPerson,
            })
        }
    }
}
