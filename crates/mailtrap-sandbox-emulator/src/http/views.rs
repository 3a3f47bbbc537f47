//! The JSON shapes of the API's objects. Current and legacy paths share them; only the naming
//! differs (`sandbox_id`/`sandboxes` against `inbox_id`/`inboxes`).

use chrono::{Datelike, TimeZone, Utc};
use serde::Serialize;
use serde_json::{Value, json};

use crate::mail::{Disposition, ParsedAttachment};
use crate::store::model::{
    Access, ApiToken, MessageEntry, Origin, Project, ResourceType, Sandbox, Specifier,
};
use crate::store::{ServerInfo, State, parts};
use crate::time;

/// Which family of paths a request came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Naming {
    /// `/api/sandboxes/...`, `/api/projects/...`.
    Current,
    /// `/api/accounts/{account_id}/inboxes/...`.
    Legacy,
}

impl Naming {
    /// `sandboxes` or `inboxes`.
    pub(crate) fn sandboxes(self) -> &'static str {
        match self {
            Naming::Current => "sandboxes",
            Naming::Legacy => "inboxes",
        }
    }

    /// The request envelopes accepted for a sandbox, preferred first.
    pub(crate) fn sandbox_envelopes(self) -> [&'static str; 2] {
        match self {
            Naming::Current => ["sandbox", "inbox"],
            Naming::Legacy => ["inbox", "sandbox"],
        }
    }

    /// The name of a resource type.
    pub(crate) fn resource_type(self, t: ResourceType) -> &'static str {
        match t {
            ResourceType::Account => "account",
            ResourceType::Billing => "billing",
            ResourceType::Organization => "organization",
            ResourceType::Project => "project",
            ResourceType::Sandbox => match self {
                Naming::Current => "sandbox",
                Naming::Legacy => "inbox",
            },
            ResourceType::Domain => "domain",
            ResourceType::EmailCampaignPermissionScope => "email_campaign_permission_scope",
        }
    }
}

fn permissions(can_update: bool, can_destroy: bool, can_leave: bool) -> Value {
    json!({
        "can_read": true,
        "can_update": can_update,
        "can_destroy": can_destroy,
        "can_leave": can_leave,
    })
}

/// Sizes as Mailtrap writes them: `691 Bytes`, `1.7 KB`, `11 KB`, `2.3 MB`.
pub(crate) fn human_size(bytes: u64) -> String {
    if bytes == 1 {
        return "1 Byte".to_owned();
    }
    if bytes < 1024 {
        return format!("{bytes} Bytes");
    }
    let units = ["KB", "MB", "GB", "TB"];
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < units.len() {
        value /= 1024.0;
        unit += 1;
    }
    // Two significant digits, trailing zeros dropped.
    let rounded = if value >= 10.0 {
        format!("{value:.0}")
    } else {
        let text = format!("{value:.1}");
        text.strip_suffix(".0").map(str::to_owned).unwrap_or(text)
    };
    format!("{rounded} {}", units.get(unit).copied().unwrap_or("TB"))
}

/// A sandbox (the same shape on every path).
pub(crate) fn sandbox(state: &State, info: &ServerInfo, s: &Sandbox) -> Value {
    let (count, unread) = state.counts(s.id);
    json!({
        "id": s.id,
        "name": s.name,
        "username": s.username,
        "password": s.password,
        "max_size": s.max_size,
        "status": "active",
        "email_username": s.email_username,
        "email_username_enabled": s.email_username_enabled,
        "sent_messages_count": s.sent_messages_count,
        "forwarded_messages_count": s.forwarded_messages_count,
        "used": s.sent_messages_count > 0,
        "forward_from_email_address":
            format!("a{}-i{}@forward.{}", state.reg.account.id, s.id, info.email_domain),
        "project_id": s.project_id,
        "domain": info.smtp_host,
        "pop3_domain": info.smtp_host,
        "email_domain": info.email_domain,
        "api_domain": info.http_host,
        "emails_count": count,
        "emails_unread_count": unread,
        "last_message_sent_at": s.last_message_sent_at.as_ref().map(time::format),
        "smtp_ports": [info.smtp_port],
        "pop3_ports": [],
        "max_message_size": s.max_message_size,
        "permissions": permissions(true, true, false),
    })
}

/// A sandbox by id.
pub(crate) fn sandbox_by_id(state: &State, info: &ServerInfo, id: u64) -> Option<Value> {
    state
        .reg
        .sandboxes
        .get(&id)
        .map(|s| sandbox(state, info, s))
}

/// Every sandbox.
pub(crate) fn sandboxes(state: &State, info: &ServerInfo) -> Value {
    Value::Array(
        state
            .reg
            .sandboxes
            .values()
            .map(|s| sandbox(state, info, s))
            .collect(),
    )
}

/// A project with its sandboxes.
pub(crate) fn project(state: &State, info: &ServerInfo, p: &Project, naming: Naming) -> Value {
    let sandboxes: Vec<Value> = state
        .reg
        .sandboxes
        .values()
        .filter(|s| s.project_id == p.id)
        .map(|s| sandbox(state, info, s))
        .collect();
    let share = |role: &str| {
        format!(
            "{}/projects/{}/share/{}{role}",
            info.base_url, p.id, p.share_key
        )
    };
    let mut view = json!({
        "id": p.id,
        "name": p.name,
        "share_links": {"admin": share("a"), "viewer": share("v")},
        "permissions": permissions(true, true, false),
    });
    if let Value::Object(map) = &mut view {
        map.insert(naming.sandboxes().to_owned(), Value::Array(sandboxes));
    }
    view
}

/// A project by id.
pub(crate) fn project_by_id(
    state: &State,
    info: &ServerInfo,
    id: u64,
    naming: Naming,
) -> Option<Value> {
    state
        .reg
        .projects
        .get(&id)
        .map(|p| project(state, info, p, naming))
}

/// `blacklists_report_info`: the emulator looks nothing up, so the report is empty.
#[derive(Debug, Serialize)]
struct BlacklistReport<'a> {
    result: &'static str,
    domain: &'a str,
    ip: &'a str,
    report: [(); 0],
}

#[derive(Debug, Serialize)]
struct SmtpData<'a> {
    mail_from_addr: &'a str,
    client_ip: &'a str,
    rcpt_to_addrs: &'a [String],
}

/// `smtp_information`: the envelope of SMTP deliveries; `{"ok": false}` for API sends.
#[derive(Debug, Serialize)]
struct SmtpInformation<'a> {
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<SmtpData<'a>>,
}

/// A message, serialized without building an intermediate JSON tree (lists are hot).
#[derive(Debug, Serialize)]
pub(crate) struct MessageView<'a> {
    id: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    sandbox_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    inbox_id: Option<u64>,
    subject: &'a str,
    sent_at: String,
    from_email: &'a str,
    from_name: &'a str,
    to_email: &'a str,
    to_name: &'a str,
    email_size: usize,
    is_read: bool,
    created_at: String,
    updated_at: String,
    template_id: Option<u64>,
    template_variables: Option<&'a Value>,
    html_body_size: usize,
    text_body_size: usize,
    human_size: String,
    html_path: String,
    txt_path: String,
    raw_path: String,
    download_path: String,
    html_source_path: String,
    blacklists_report_info: BlacklistReport<'a>,
    smtp_information: SmtpInformation<'a>,
}

/// A message.
pub(crate) fn message(entry: &MessageEntry, naming: Naming) -> MessageView<'_> {
    let data = &entry.data;
    let digest = &data.digest;
    let meta = &data.meta;
    let token = parts::message_token(data.sandbox_id, data.id);
    let path = |part: &str| format!("{}{token}/{part}", parts::ROUTE_PREFIX);
    let (template_id, template_variables) = match (&meta.template, meta.origin) {
        (Some(t), _) => (Some(t.id), t.variables.as_ref().filter(|v| !v.is_null())),
        (None, Origin::Api) => (Some(0), None),
        (None, Origin::Smtp) => (None, None),
    };
    let client_ip = meta.envelope.client_ip.as_deref().unwrap_or("127.0.0.1");
    let smtp_information = match meta.origin {
        Origin::Smtp => SmtpInformation {
            ok: true,
            data: Some(SmtpData {
                mail_from_addr: &meta.envelope.mail_from,
                client_ip,
                rcpt_to_addrs: &meta.envelope.rcpt_to,
            }),
        },
        Origin::Api => SmtpInformation {
            ok: false,
            data: None,
        },
    };
    let sender_domain = digest
        .from
        .email
        .rsplit_once('@')
        .map_or("", |(_, domain)| domain);
    let created = time::format(&data.created_at);
    MessageView {
        id: data.id,
        sandbox_id: (naming == Naming::Current).then_some(data.sandbox_id),
        inbox_id: (naming == Naming::Legacy).then_some(data.sandbox_id),
        subject: &digest.subject,
        sent_at: created.clone(),
        from_email: &digest.from.email,
        from_name: &digest.from.name,
        to_email: &digest.to.email,
        to_name: &digest.to.name,
        email_size: data.size,
        is_read: entry.is_read,
        created_at: created,
        updated_at: time::format(&entry.updated_at),
        template_id,
        template_variables,
        html_body_size: digest.html_size,
        text_body_size: digest.text_size,
        human_size: human_size(data.size as u64),
        html_path: path("body.html"),
        txt_path: path("body.txt"),
        raw_path: path("body.raw"),
        download_path: path("body.eml"),
        html_source_path: path("body.htmlsource"),
        blacklists_report_info: BlacklistReport {
            result: "success",
            domain: sender_domain,
            ip: client_ip,
            report: [],
        },
        smtp_information,
    }
}

/// An attachment of a message (`index` is its position among the message's attachments).
pub(crate) fn attachment(entry: &MessageEntry, index: usize, a: &ParsedAttachment) -> Value {
    let data = &entry.data;
    let created = time::format(&data.created_at);
    let index16 = u16::try_from(index).unwrap_or(u16::MAX);
    json!({
        "id": data.meta.first_attachment_id + index as u64,
        "message_id": data.id,
        "filename": a.filename,
        "attachment_type": match a.disposition {
            Disposition::Attachment => "attachment",
            Disposition::Inline => "inline",
        },
        "content_type": a.content_type,
        "content_id": a.content_id.clone().unwrap_or_default(),
        "transfer_encoding": a.transfer_encoding,
        "attachment_size": a.content.len(),
        "created_at": created,
        "updated_at": created,
        "attachment_human_size": human_size(a.content.len() as u64),
        "download_path": parts::attachment_path(data.sandbox_id, data.id, index16),
    })
}

/// An account access.
pub(crate) fn access(state: &State, a: &Access, naming: Naming) -> Value {
    let reg = &state.reg;
    let (specifier_type, specifier, perms) = match &a.specifier {
        Specifier::Owner => (
            "User",
            json!({
                "id": reg.owner.id,
                "email": reg.owner.email,
                "name": reg.owner.name,
                "two_factor_authentication_enabled": false,
            }),
            json!({"can_read": true, "can_update": false, "can_destroy": false, "can_leave": false}),
        ),
        Specifier::User(user) => (
            "User",
            json!({
                "id": user.id,
                "email": user.email,
                "name": user.name,
                "two_factor_authentication_enabled": false,
            }),
            permissions(true, true, false),
        ),
        Specifier::Invite { id, email } => (
            "Invite",
            json!({"id": id, "email": email}),
            permissions(true, true, false),
        ),
        Specifier::ApiToken { token_id } => {
            let token = reg.api_tokens.get(token_id);
            (
                "ApiToken",
                json!({
                    "id": token_id,
                    "name": token.map(|t| t.name.as_str()).unwrap_or(""),
                    "author_name": reg.owner.name,
                    "token": token.map(|t| masked(&t.token)).unwrap_or_default(),
                    "expires_at": token.and_then(|t| t.expires_at.as_ref().map(time::format)),
                }),
                permissions(true, true, false),
            )
        }
    };
    json!({
        "id": a.id,
        "specifier_type": specifier_type,
        "specifier": specifier,
        "resources": resources(a, naming),
        "permissions": perms,
    })
}

fn resources(a: &Access, naming: Naming) -> Value {
    Value::Array(
        a.resources
            .iter()
            .map(|r| {
                json!({
                    "resource_type": naming.resource_type(r.resource_type),
                    "resource_id": r.resource_id,
                    "access_level": r.access_level,
                })
            })
            .collect(),
    )
}

/// The last four characters of a token.
fn last4(token: &str) -> &str {
    let start = token
        .char_indices()
        .rev()
        .nth(3)
        .map_or(0, |(index, _)| index);
    token.get(start..).unwrap_or(token)
}

/// A token with all but its last four characters hidden.
fn masked(token: &str) -> String {
    let last = last4(token);
    let hidden = token.chars().count() - last.chars().count();
    format!("{}{last}", "*".repeat(hidden))
}

/// An API token (with its value only right after it was created or reset).
pub(crate) fn api_token(state: &State, t: &ApiToken, with_token: bool, naming: Naming) -> Value {
    let resources = state
        .reg
        .accesses
        .get(&t.access_id)
        .map_or(Value::Array(Vec::new()), |a| resources(a, naming));
    let mut view = json!({
        "id": t.id,
        "name": t.name,
        "last_4_digits": last4(&t.token),
        "created_by": state.reg.owner.name,
        "expires_at": t.expires_at.as_ref().map(time::format),
        "resources": resources,
    });
    if with_token && let Value::Object(map) = &mut view {
        map.insert("token".to_owned(), json!(t.token));
    }
    view
}

/// The resource tree: account, then projects, then sandboxes, with the owner's level.
pub(crate) fn resource_tree(state: &State, naming: Naming) -> Value {
    let reg = &state.reg;
    let projects: Vec<Value> = reg
        .projects
        .values()
        .map(|p| {
            let sandboxes: Vec<Value> = reg
                .sandboxes
                .values()
                .filter(|s| s.project_id == p.id)
                .map(|s| {
                    json!({
                        "id": s.id,
                        "name": s.name,
                        "type": naming.resource_type(ResourceType::Sandbox),
                        "access_level": 1000,
                        "resources": [],
                    })
                })
                .collect();
            json!({
                "id": p.id,
                "name": p.name,
                "type": "project",
                "access_level": 1000,
                "resources": sandboxes,
            })
        })
        .collect();
    json!([{
        "id": reg.account.id,
        "name": reg.account.name,
        "type": "account",
        "access_level": 1000,
        "resources": projects,
    }])
}

/// Usage of the current (calendar-month) billing cycle.
pub(crate) fn billing_usage(state: &State) -> Value {
    let now = Utc::now();
    let start = Utc
        .with_ymd_and_hms(now.year(), now.month(), 1, 0, 0, 0)
        .single()
        .unwrap_or(now);
    let (year, month) = if now.month() == 12 {
        (now.year() + 1, 1)
    } else {
        (now.year(), now.month() + 1)
    };
    let end = Utc
        .with_ymd_and_hms(year, month, 1, 0, 0, 0)
        .single()
        .unwrap_or(now);
    let sent: u64 = state
        .reg
        .sandboxes
        .values()
        .map(|s| s.sent_messages_count)
        .sum();
    let forwarded: u64 = state
        .reg
        .sandboxes
        .values()
        .map(|s| s.forwarded_messages_count)
        .sum();
    json!({
        "billing": {"cycle_start": time::format(&start), "cycle_end": time::format(&end)},
        "testing": {
            "plan": {"name": "Emulator"},
            "usage": {
                "sent_messages_count": {"current": sent, "limit": 1_000_000},
                "forwarded_messages_count": {"current": forwarded, "limit": 10_000},
            }
        },
        "sending": {
            "plan": {"name": "Emulator"},
            "usage": {"sent_messages_count": {"current": 0, "limit": 0}}
        },
        "marketing": {
            "plan": {"name": "Emulator"},
            "usage": {"sent_messages_count": {"current": 0, "limit": 0}}
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_sizes_match_mailtrap() {
        assert_eq!(human_size(1), "1 Byte");
        assert_eq!(human_size(9), "9 Bytes");
        assert_eq!(human_size(691), "691 Bytes");
        assert_eq!(human_size(1024), "1 KB");
        assert_eq!(human_size(1704), "1.7 KB");
        assert_eq!(human_size(11_539), "11 KB");
        assert_eq!(human_size(5 * 1024 * 1024), "5 MB");
    }

    #[test]
    fn tokens_are_masked_but_the_last_four() {
        assert_eq!(masked("abcdef123456"), "********3456");
        assert_eq!(masked("ab"), "ab");
    }
}
