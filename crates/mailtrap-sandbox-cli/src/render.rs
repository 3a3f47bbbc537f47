//! Human renderings of the API's objects: tables for lists, aligned fields for one object.
//! (With `--json` the objects are printed as the SDK serializes them instead.)

use chrono::{DateTime, Utc};
use mailtrap_sandbox::models::{
    Account, AccountAccess, ApiToken, Attachment, BillingUsage, HtmlAnalysis, Message,
    MessageHeaders, NewApiToken, PermissionResource, ProductUsage, Project, Sandbox, SpamReport,
    SubAccount, TokenResource, UsageCounter,
};

use crate::table::{Table, fields};

/// `2025-03-04 10:31:02 UTC`, or `-`.
pub(crate) fn time(at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(
        || "-".to_owned(),
        |at| at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
    )
}

fn or_dash(value: Option<&str>) -> String {
    value.filter(|v| !v.is_empty()).unwrap_or("-").to_owned()
}

/// `812 bytes`, or `1.3 KB (1324 bytes)` from 1 KiB on.
fn size(bytes: u64, human: &str) -> String {
    if bytes < 1024 || human.trim().is_empty() {
        format!("{bytes} bytes")
    } else {
        format!("{human} ({bytes} bytes)")
    }
}

fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_owned()
}

/// `3 projects`, `1 project`, `No projects.`
fn count_line(count: usize, singular: &str, plural: &str) -> String {
    match count {
        0 => format!("No {plural}."),
        1 => format!("1 {singular}"),
        n => format!("{n} {plural}"),
    }
}

/// A table followed by a count line, or just "No ...".
fn listed(table: &Table, count: usize, singular: &str, plural: &str) -> String {
    if table.is_empty() {
        count_line(0, singular, plural)
    } else {
        format!(
            "{}\n\n{}",
            table.render(),
            count_line(count, singular, plural)
        )
    }
}

// --- projects and sandboxes ---------------------------------------------------------------

/// Projects and how many sandboxes each has.
pub(crate) fn projects(list: &[Project]) -> String {
    let mut table = Table::new(["ID", "NAME", "SANDBOXES"]);
    for project in list {
        let names: Vec<String> = project
            .sandboxes
            .iter()
            .map(|sandbox| format!("{} ({})", sandbox.name, sandbox.id))
            .collect();
        table.row([
            project.id.to_string(),
            project.name.clone(),
            names.join(", "),
        ]);
    }
    listed(&table, list.len(), "project", "projects")
}

/// One project with its sandboxes.
pub(crate) fn project(project: &Project) -> String {
    let mut out = fields(&[
        ("Project", project.id.to_string()),
        ("Name", project.name.clone()),
        (
            "Share link",
            or_dash(
                project
                    .share_links
                    .as_ref()
                    .and_then(|links| links.viewer.as_deref()),
            ),
        ),
    ]);
    out.push_str("\n\n");
    out.push_str(&sandboxes(&project.sandboxes));
    out
}

/// Sandboxes with their counters.
pub(crate) fn sandboxes(list: &[Sandbox]) -> String {
    let mut table = Table::new([
        "ID",
        "NAME",
        "PROJECT",
        "MESSAGES",
        "UNREAD",
        "LAST MESSAGE",
    ]);
    for sandbox in list {
        table.row([
            sandbox.id.to_string(),
            sandbox.name.clone(),
            sandbox
                .project_id
                .map_or_else(|| "-".to_owned(), |id| id.to_string()),
            sandbox.emails_count.to_string(),
            sandbox.emails_unread_count.to_string(),
            time(sandbox.last_message_sent_at),
        ]);
    }
    listed(&table, list.len(), "sandbox", "sandboxes")
}

/// One sandbox: settings, SMTP credentials, address and counters.
pub(crate) fn sandbox(sandbox: &Sandbox) -> String {
    let ports: Vec<String> = sandbox.smtp_ports.iter().map(u16::to_string).collect();
    let address = sandbox.email_address().unwrap_or_else(|| "-".to_owned());
    fields(&[
        ("Sandbox", sandbox.id.to_string()),
        ("Name", sandbox.name.clone()),
        (
            "Project",
            sandbox
                .project_id
                .map_or_else(|| "-".to_owned(), |id| id.to_string()),
        ),
        ("Status", sandbox.status.to_string()),
        ("SMTP host", or_dash(Some(&sandbox.domain))),
        (
            "SMTP ports",
            if ports.is_empty() {
                "-".to_owned()
            } else {
                ports.join(", ")
            },
        ),
        ("SMTP username", or_dash(Some(&sandbox.username))),
        (
            "SMTP password",
            or_dash(sandbox.password.as_ref().map(|secret| secret.expose())),
        ),
        (
            "Email address",
            format!(
                "{address} ({})",
                if sandbox.email_username_enabled {
                    "enabled"
                } else {
                    "disabled"
                }
            ),
        ),
        (
            "Messages",
            format!(
                "{} ({} unread)",
                sandbox.emails_count, sandbox.emails_unread_count
            ),
        ),
        ("Sent", sandbox.sent_messages_count.to_string()),
        ("Forwarded", sandbox.forwarded_messages_count.to_string()),
        ("Max messages", sandbox.max_size.to_string()),
        ("Last message", time(sandbox.last_message_sent_at)),
    ])
}

// --- messages ----------------------------------------------------------------------------

/// Messages, newest first.
pub(crate) fn messages(list: &[Message]) -> String {
    let mut table = Table::new(["ID", "SENT", "FROM", "TO", "SUBJECT", "READ"]);
    for message in list {
        table.row([
            message.id.to_string(),
            time(message.sent_at.or(message.created_at)),
            message.from_email.clone(),
            message.to_email.clone(),
            message.subject.clone(),
            yes_no(message.is_read),
        ]);
    }
    listed(&table, list.len(), "message", "messages")
}

/// One message's metadata.
pub(crate) fn message(message: &Message) -> String {
    let named = |name: Option<&String>, email: &str| match name {
        Some(name) => format!("{name} <{email}>"),
        None => email.to_owned(),
    };
    fields(&[
        ("Message", message.id.to_string()),
        (
            "Sandbox",
            message
                .sandbox_id
                .map_or_else(|| "-".to_owned(), |id| id.to_string()),
        ),
        ("Subject", message.subject.clone()),
        (
            "From",
            named(message.from_name.as_ref(), &message.from_email),
        ),
        ("To", named(message.to_name.as_ref(), &message.to_email)),
        ("Sent", time(message.sent_at)),
        ("Size", size(message.email_size, &message.human_size)),
        ("Read", yes_no(message.is_read)),
    ])
}

/// A spam report: the verdict, then the rules that scored.
pub(crate) fn spam_report(report: &SpamReport) -> String {
    let threshold = report
        .threshold
        .map_or_else(|| "-".to_owned(), |threshold| format!("{threshold}"));
    let mut out = fields(&[
        ("Score", format!("{}", report.score)),
        ("Threshold", threshold),
        ("Spam", yes_no(report.spam)),
    ]);
    if !report.details.is_empty() {
        let mut table = Table::new(["POINTS", "RULE", "DESCRIPTION"]);
        for rule in &report.details {
            table.row([
                rule.points
                    .map_or_else(|| "-".to_owned(), |points| format!("{points}")),
                rule.rule_name.clone(),
                or_dash(rule.description.as_deref()),
            ]);
        }
        out.push_str("\n\n");
        out.push_str(&table.render());
    }
    out
}

/// An HTML analysis: the status, then each construct some clients do not support.
pub(crate) fn html_analysis(analysis: &HtmlAnalysis) -> String {
    let status = analysis
        .status
        .as_ref()
        .map_or_else(|| "-".to_owned(), ToString::to_string);
    let mut out = fields(&[
        ("Status", status),
        ("Issues", analysis.errors.len().to_string()),
    ]);
    if !analysis.errors.is_empty() {
        let mut table = Table::new(["LINE", "RULE", "UNSUPPORTED IN"]);
        for issue in &analysis.errors {
            let clients = &issue.email_clients;
            let all: Vec<&str> = clients
                .desktop
                .iter()
                .chain(&clients.mobile)
                .chain(&clients.web)
                .map(String::as_str)
                .collect();
            table.row([
                issue
                    .error_line
                    .map_or_else(|| "-".to_owned(), |line| line.to_string()),
                issue.rule_name.clone(),
                all.join(", "),
            ]);
        }
        out.push_str("\n\n");
        out.push_str(&table.render());
    }
    out
}

/// Headers, one per line.
pub(crate) fn headers(headers: &MessageHeaders) -> String {
    let pairs: Vec<(&str, String)> = headers
        .iter()
        .map(|(name, value)| (name, value.to_owned()))
        .collect();
    if pairs.is_empty() {
        return "No headers.".to_owned();
    }
    fields(&pairs)
}

// --- attachments -------------------------------------------------------------------------

/// Attachments of a message.
pub(crate) fn attachments(list: &[Attachment]) -> String {
    let mut table = Table::new(["ID", "FILENAME", "TYPE", "CONTENT TYPE", "SIZE"]);
    for attachment in list {
        table.row([
            attachment.id.to_string(),
            attachment.filename.clone(),
            attachment.attachment_type.to_string(),
            attachment.content_type.clone(),
            attachment.size.to_string(),
        ]);
    }
    listed(&table, list.len(), "attachment", "attachments")
}

/// One attachment.
pub(crate) fn attachment(attachment: &Attachment) -> String {
    fields(&[
        ("Attachment", attachment.id.to_string()),
        (
            "Message",
            attachment
                .message_id
                .map_or_else(|| "-".to_owned(), |id| id.to_string()),
        ),
        ("Filename", attachment.filename.clone()),
        ("Type", attachment.attachment_type.to_string()),
        ("Content type", attachment.content_type.clone()),
        ("Content id", or_dash(attachment.content_id.as_deref())),
        ("Size", size(attachment.size, &attachment.human_size)),
        ("Created", time(attachment.created_at)),
    ])
}

// --- users, accounts, tokens, billing ------------------------------------------------------

/// Account accesses: who, and on what.
pub(crate) fn accesses(list: &[AccountAccess]) -> String {
    let mut table = Table::new(["ID", "TYPE", "WHO", "RESOURCES"]);
    for access in list {
        let who = access
            .specifier
            .email
            .clone()
            .or_else(|| access.specifier.name.clone())
            .or_else(|| access.specifier.author_name.clone())
            .unwrap_or_else(|| "-".to_owned());
        table.row([
            access.id.to_string(),
            access.specifier_type.to_string(),
            who,
            resource_list(&access.resources),
        ]);
    }
    listed(&table, list.len(), "account access", "account accesses")
}

/// `sandbox 42 (admin), project 7 (viewer)`: resources and the access level on each.
fn resource_list(resources: &[TokenResource]) -> String {
    let labels: Vec<String> = resources
        .iter()
        .map(|resource| {
            format!(
                "{} {} ({})",
                resource.resource_type,
                resource.resource_id,
                level_name(resource.access_level.number())
            )
        })
        .collect();
    labels.join(", ")
}

/// `admin`, `viewer`, ... or the number.
fn level_name(level: i64) -> String {
    match level {
        1000 => "owner".to_owned(),
        100 => "admin".to_owned(),
        10 => "viewer".to_owned(),
        1 => "limited".to_owned(),
        other => other.to_string(),
    }
}

/// The tree of resources permissions can be given on.
pub(crate) fn permission_resources(list: &[PermissionResource]) -> String {
    fn walk(out: &mut Table, resources: &[PermissionResource], depth: usize) {
        for resource in resources {
            out.row([
                format!("{}{}", "  ".repeat(depth), resource.resource_type),
                resource.id.to_string(),
                resource.name.clone(),
                resource
                    .access_level
                    .map_or_else(|| "-".to_owned(), |level| level_name(level.number())),
            ]);
            walk(out, &resource.resources, depth + 1);
        }
    }
    let mut table = Table::new(["TYPE", "ID", "NAME", "ACCESS"]);
    walk(&mut table, list, 0);
    if table.is_empty() {
        "No resources.".to_owned()
    } else {
        table.render()
    }
}

/// Accounts and the token's access levels in each.
pub(crate) fn accounts(list: &[Account]) -> String {
    let mut table = Table::new(["ID", "NAME", "ACCESS"]);
    for account in list {
        let levels: Vec<String> = account
            .access_levels
            .iter()
            .map(|level| level_name(level.number()))
            .collect();
        table.row([
            account.id.to_string(),
            account.name.clone(),
            levels.join(", "),
        ]);
    }
    listed(&table, list.len(), "account", "accounts")
}

/// API tokens (never their values: the API shows only the last 4 digits).
pub(crate) fn tokens(list: &[ApiToken]) -> String {
    let mut table = Table::new(["ID", "NAME", "LAST 4", "CREATED BY", "EXPIRES", "RESOURCES"]);
    for token in list {
        table.row([
            token.id.to_string(),
            token.name.clone(),
            or_dash(token.last_4_digits.as_deref()),
            or_dash(token.created_by.as_deref()),
            time(token.expires_at),
            token.resources.len().to_string(),
        ]);
    }
    listed(&table, list.len(), "API token", "API tokens")
}

/// One API token and its resources.
pub(crate) fn token(token: &ApiToken) -> String {
    fields(&[
        ("API token", token.id.to_string()),
        ("Name", token.name.clone()),
        ("Last 4 digits", or_dash(token.last_4_digits.as_deref())),
        ("Created by", or_dash(token.created_by.as_deref())),
        ("Expires", time(token.expires_at)),
        (
            "Resources",
            if token.resources.is_empty() {
                "-".to_owned()
            } else {
                resource_list(&token.resources)
            },
        ),
    ])
}

/// A token just created or reset, with its value (shown once by the API).
pub(crate) fn new_token(created: &NewApiToken) -> String {
    format!(
        "{}\nToken          {}\n\nThe value is shown only now: store it safely.",
        token(&created.token),
        created.value.expose()
    )
}

/// Billing usage of the current cycle.
pub(crate) fn billing(usage: &BillingUsage) -> String {
    let counter = |counter: Option<UsageCounter>| {
        counter.map_or_else(
            || "-".to_owned(),
            |counter| match counter.limit {
                Some(limit) => format!("{} of {limit}", counter.current),
                None => counter.current.to_string(),
            },
        )
    };
    let mut table = Table::new(["PRODUCT", "PLAN", "SENT", "FORWARDED"]);
    let products: [(&str, &Option<ProductUsage>); 3] = [
        ("testing", &usage.testing),
        ("sending", &usage.sending),
        ("marketing", &usage.marketing),
    ];
    for (name, product) in products {
        if let Some(product) = product {
            table.row([
                name.to_owned(),
                or_dash(product.plan.as_deref()),
                counter(product.sent_messages),
                counter(product.forwarded_messages),
            ]);
        }
    }
    let cycle = fields(&[
        ("Cycle start", time(usage.cycle_start)),
        ("Cycle end", time(usage.cycle_end)),
    ]);
    if table.is_empty() {
        cycle
    } else {
        format!("{cycle}\n\n{}", table.render())
    }
}

/// Sub-accounts of an organization.
pub(crate) fn sub_accounts(list: &[SubAccount]) -> String {
    let mut table = Table::new(["ID", "NAME"]);
    for account in list {
        table.row([account.id.to_string(), account.name.clone()]);
    }
    listed(&table, list.len(), "sub-account", "sub-accounts")
}
