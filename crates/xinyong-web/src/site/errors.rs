//! Errors as pages: the website's error pages, whose statuses come from the same table of
//! error codes as the API's problem documents ([`ErrorCode`]).

use std::sync::Arc;

use askama::Template;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use xinyong_domain::Catalogue;
use xinyong_domain::code::CodeError;
use xinyong_domain::search::{MAX_QUERY_CHARS, MIN_CODE_PREFIX, QueryError};
use xinyong_store::StoreError;

use super::context::Ctx;
use crate::AppState;
use crate::error::{ApiError, ErrorCode};

/// Why a page could not be shown: the error's code, and what the visitor is told.
pub struct PageError {
    code: ErrorCode,
    message: String,
    /// The message for the Chinese site, where it differs from `message` (issue #16: error
    /// pages on the Chinese site spoke English).
    message_zh: Option<String>,
}

impl PageError {
    pub(super) fn new(code: ErrorCode, message: impl Into<String>) -> PageError {
        PageError {
            code,
            message: message.into(),
            message_zh: None,
        }
    }

    /// An error told in English on the English site and in Chinese on the Chinese one.
    pub(super) fn bilingual(
        code: ErrorCode,
        en: impl Into<String>,
        zh: impl Into<String>,
    ) -> PageError {
        PageError {
            code,
            message: en.into(),
            message_zh: Some(zh.into()),
        }
    }
}
/// Why `e` makes a typed code invalid, in Chinese (the Chinese site's detail; the English
/// site shows the error's own text).
pub(super) fn code_error_zh(e: &CodeError) -> String {
    match e {
        CodeError::Length { found } => format!("代码应为18位，输入了{found}位"),
        CodeError::Character {
            position, found, ..
        } => format!("第{position}位的“{found}”不是该位置允许的字符"),
        CodeError::Check {
            position,
            expected,
            found,
        } => format!("第{position}位校验码应为“{expected}”，输入的是“{found}”"),
        CodeError::UnknownDivision { start, end, code } => {
            format!("第{start}-{end}位的行政区划代码{code}不存在")
        }
        CodeError::BirthDate { found } => format!("第7-14位的出生日期{found}不是有效日期"),
        CodeError::BirthYear { found } => format!("第7-10位的出生年份{found}超出1850-2100"),
        CodeError::BornAfter { birth, .. } => format!("第7-14位的出生日期{birth}晚于今天"),
        CodeError::KindMismatch { prefix, .. } => {
            format!("第1-2位“{prefix}”与所填主体类别不符")
        }
        CodeError::Sequence { found } => format!("第15-17位顺序码{found}超过999"),
        CodeError::PartLength {
            expected, found, ..
        } => format!("代码的一部分应为{expected}位，输入了{found}位"),
    }
}

/// A field problem of a submitted row (a domain `FieldError` message, which is English: it is
/// also printed by `xinyong import` and logged) in Chinese, for the Chinese console. The
/// messages met most (required fields, code errors, future dates, kinds, categories) are
/// translated; any other stays as it is. `tests::field_messages_*` feeds the domain's own
/// errors through it, so a reworded message that is no longer recognised fails a test.
pub(super) fn field_message_zh(message: &str) -> String {
    let quoted = |s: &str| s.trim_matches(|c| c == '\'' || c == '"').to_owned();
    if message == "is required" {
        return "必填".to_owned();
    }
    if let Some(rest) = message.strip_prefix("is required (") {
        return format!("必填（{}）", rest.trim_end_matches(')'));
    }
    if let Some(category) = message.strip_prefix("is required for category ") {
        return format!("必填（类别{category}的记录须填写）");
    }
    if let Some(found) = message.strip_prefix("expected 18 characters, found ") {
        return format!("代码应为18位，输入了{found}位");
    }
    if let Some((position, rest)) = message
        .strip_prefix("character ")
        .and_then(|r| r.split_once(": "))
    {
        if let Some((expected, found)) = rest
            .strip_prefix("check character should be ")
            .and_then(|r| r.split_once(", found "))
        {
            return format!(
                "第{position}位校验码应为“{}”，输入的是“{}”",
                quoted(expected),
                quoted(found)
            );
        }
        if let Some((found, _)) = rest.split_once(" is not allowed here") {
            return format!("第{position}位的“{}”不是该位置允许的字符", quoted(found));
        }
    }
    if let Some(date) = message
        .strip_prefix("decision date ")
        .and_then(|r| r.strip_suffix(" is in the future"))
    {
        return format!("决定日期{date}晚于今天");
    }
    if let Some(kind) = message.strip_suffix(" is not a subject kind") {
        return format!("{}不是有效的主体类别", quoted(kind));
    }
    if let Some((department, category)) = message
        .strip_prefix("department ")
        .and_then(|r| r.split_once(" may not submit category "))
    {
        return format!("部门{department}无权报送类别{category}");
    }
    message.to_owned()
}

/// Why a search query is refused, in Chinese.
fn query_error_zh(e: &QueryError) -> String {
    match e {
        QueryError::Empty => "请输入要检索的名称或代码".to_owned(),
        QueryError::TooLong(n) => {
            format!("检索词有{n}个字符，最多可输入{MAX_QUERY_CHARS}个字符")
        }
        QueryError::Control(at) => format!("检索词第{at}个字符是控制字符"),
        QueryError::NothingToSearch => {
            format!(
                "检索词中没有可检索的文字或数字；按代码检索至少需要输入代码的前{MIN_CODE_PREFIX}位"
            )
        }
    }
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> PageError {
        tracing::error!(error = %e, "store error on a public page");
        PageError::new(ErrorCode::Internal, "")
    }
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> PageError {
        match e {
            ApiError::Store(e) => e.into(),
            ApiError::Code(c) => PageError::bilingual(
                ErrorCode::InvalidCode,
                format!("invalid code: {c}"),
                code_error_zh(&c),
            ),
            ApiError::Search(q) => PageError::bilingual(
                ErrorCode::InvalidSearch,
                format!("q: {q}"),
                query_error_zh(&q),
            ),
            e => PageError::new(e.code(), e.to_string()),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    ctx: Ctx,
    q: String,
    title: String,
    message: String,
}

/// A page, or an error page with its status, in the visitor's language.
pub(super) struct Page<T> {
    catalogue: Arc<Catalogue>,
    uri: Uri,
    result: Result<T, PageError>,
}

impl<T> Page<T> {
    pub(super) fn new(state: &AppState, uri: Uri, result: Result<T, PageError>) -> Page<T> {
        Page {
            catalogue: state.catalogue.clone(),
            uri,
            result,
        }
    }
}

impl<T: IntoResponse> IntoResponse for Page<T> {
    fn into_response(self) -> Response {
        let e = match self.result {
            Ok(page) => return page.into_response(),
            Err(e) => e,
        };
        let ctx = Ctx::with_catalogue(self.catalogue, &self.uri, "");
        let status = e.code.status();
        let told = match (ctx.is_en(), e.message_zh) {
            (false, Some(zh)) => zh,
            _ => e.message,
        };
        let (title, message) = match status {
            StatusCode::BAD_REQUEST => (ctx.l.bad_query, told),
            StatusCode::NOT_FOUND => (ctx.l.not_found, told),
            // A server failure says nothing of its cause.
            _ => (ctx.l.error_heading, String::new()),
        };
        let page = ErrorPage {
            ctx,
            q: String::new(),
            title: title.to_owned(),
            // A message may quote what the visitor typed: no identity number leaves whole.
            message: crate::public::text(&message),
        };
        match page.render() {
            Ok(html) => (status, html_headers(), html).into_response(),
            Err(_) => status.into_response(),
        }
    }
}

/// The page a browser gets for a path that is nothing (issue #16: a mistyped address showed a
/// raw problem document): the site's not-found page, in the visitor's language, with its
/// links home, to search and to the lists.
pub fn not_found_page(state: &AppState, uri: Uri) -> Response {
    let path = crate::public::text(&crate::public::percent_decode(uri.path()));
    let error = PageError::new(ErrorCode::NotFoundEndpoint, path);
    Page::<Response>::new(state, uri, Err(error)).into_response()
}

fn html_headers() -> [(header::HeaderName, HeaderValue); 1] {
    [(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use xinyong_domain::code::SubjectCode;

    #[test]
    fn field_messages_of_the_domain_read_in_chinese() {
        let check = SubjectCode::parse("91440300708461136X")
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            field_message_zh(&check.unwrap_or_default()),
            "第18位校验码应为“T”，输入的是“X”"
        );
        let short = SubjectCode::parse("9144").err().map(|e| e.to_string());
        assert_eq!(
            field_message_zh(&short.unwrap_or_default()),
            "代码应为18位，输入了4位"
        );
        assert_eq!(field_message_zh("is required"), "必填");
        assert_eq!(
            field_message_zh("is required (许可类别)"),
            "必填（许可类别）"
        );
        assert_eq!(
            field_message_zh("department SZ may not submit category admin_penalty"),
            "部门SZ无权报送类别admin_penalty"
        );
        assert_eq!(field_message_zh("something else"), "something else");
    }

    #[test]
    fn field_messages_of_a_validated_record_read_in_chinese() {
        let catalogue = xinyong_domain::Catalogue::shipped();
        let mut raw = xinyong_domain::RawRecord::default();
        raw.set(
            xinyong_domain::catalogue::CoreAttribute::Category,
            "category",
            "admin_penalty",
        );
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap_or_default();
        let errors = catalogue.validate(&raw, today).err().unwrap_or_default();
        assert!(!errors.is_empty());
        for e in &errors {
            let zh = field_message_zh(&e.message);
            assert!(zh.starts_with("必填"), "{}: {} -> {zh}", e.field, e.message);
        }
    }
}
