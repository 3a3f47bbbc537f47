//! `demo`: the whole email-testing flow, with a readable report.
//!
//! Offline (the default) it starts the emulator in-process on 127.0.0.1 port 0; with `--live`
//! it uses real Mailtrap with the configured token. Either way it creates a project and a
//! sandbox, sends a templated email with a link, a one-time code, a Bcc and an attachment
//! through the sending API and another over SMTP with the sandbox's credentials, waits for
//! both, shows what arrived (recipients, link, code, attachment checksum, spam score, HTML
//! analysis, leftover placeholders), checks it against what was sent, and deletes what it
//! created (unless `--keep`).

mod attachment;
mod report;
mod smtp;
mod template;

use std::time::Duration;

use mailtrap_sandbox::models::{Project, Sandbox};
use mailtrap_sandbox::resources::SandboxHandle;
use mailtrap_sandbox::{Client, Email, EmailAttachment, MessageFilter};
use mailtrap_sandbox_emulator::EmulatorConfig;

use crate::cli::{DemoArgs, GlobalArgs};
use crate::context::{build_client, client};
use crate::failure::{CliResult, Doing as _, ExitCode, Failure};
use crate::output::{Out, note};
use report::{
    AttachmentFacts, HtmlFacts, LinkFacts, MessageFacts, ProjectFacts, Report, SandboxFacts,
    SpamFacts,
};
use smtp::{SmtpEmail, SmtpTarget};
use template::{Rendered, SIGN_IN, WELCOME};

/// The values the templates are filled with (fixed, so that runs can be compared).
const COMPANY: &str = "Acme";
const CUSTOMER_NAME: &str = "Ana Lima";
const CUSTOMER: &str = "ana@example.test";
const WELCOME_FROM: &str = "no-reply@acme.test";
const SECURITY_FROM: &str = "security@acme.test";
const WELCOME_BCC: &str = "audit@acme.test";
const SIGN_IN_BCC: &str = "security-log@acme.test";
const ACTIVATION_URL: &str = "https://app.acme.test/activate?token=Zx81-demo-7Qp";
const WELCOME_CODE: &str = "482913";
const SIGN_IN_URL: &str = "https://app.acme.test/sign-in?session=Mb20-demo-4Kc";
const SIGN_IN_CODE: &str = "739204";

/// Runs the demo against an in-process emulator, or against Mailtrap with `--live`.
pub(crate) async fn run(args: &DemoArgs, global: &GlobalArgs) -> CliResult {
    let out = Out::new(global.json);
    if args.live {
        let client = client(global).map_err(|failure| {
            if failure.code == ExitCode::Auth {
                failure.hint(
                    "demo --live uses real Mailtrap: set MAILTRAP_API_TOKEN or pass --token \
                     (without --live the demo runs offline against an in-process emulator)",
                )
            } else {
                failure
            }
        })?;
        let suffix = chrono::Utc::now().format(" %Y-%m-%d %H:%M:%S").to_string();
        out.line(&format!(
            "Mailtrap Sandbox demo against {}",
            client.base_url()
        ))?;
        return flow(out, args, &client, "live", &suffix).await;
    }
    if global.token.is_some() || global.base_url.is_some() {
        note(
            "note: the demo runs offline against an in-process emulator; add --live to use your token and Mailtrap",
        );
    }
    let emulator = EmulatorConfig::ephemeral()
        .start()
        .await
        .map_err(|err| Failure::error(format!("could not start the in-process emulator: {err}")))?;
    let base_url = emulator.base_url().to_owned();
    let client = build_client(
        emulator.api_token(),
        Some(&base_url),
        Some(&base_url),
        global.retries,
        global.request_timeout,
    )?;
    out.line(&format!(
        "Mailtrap Sandbox demo, offline: emulator started in-process (API {base_url}, SMTP {})",
        emulator.smtp_addr()
    ))?;
    let result = flow(out, args, &client, "emulator", "").await;
    emulator.shutdown().await;
    result
}

/// Numbered step lines.
struct Steps {
    out: Out,
    done: u32,
}

impl Steps {
    fn done(&mut self, text: &str) -> CliResult {
        self.done += 1;
        self.out.line(&format!("{:>2}. {text}", self.done))
    }
}

/// Creates the project, runs the steps, cleans up, then prints the verdict (or the report
/// with `--json`).
async fn flow(
    out: Out,
    args: &DemoArgs,
    client: &Client,
    mode: &'static str,
    suffix: &str,
) -> CliResult {
    let mut report = Report {
        mode,
        base_url: client.base_url().to_owned(),
        project: None,
        sandbox: None,
        messages: Vec::new(),
        cleaned_up: false,
    };
    let mut steps = Steps { out, done: 0 };
    out.line("")?;
    let name = format!("mailtrap-sandbox demo{suffix}");
    let project = client
        .projects()
        .create(name.as_str())
        .await
        .doing(|| "create the demo project".to_owned())
        .map_err(|failure| match failure.hint {
            None if mode == "live" => failure.hint("the account's plan may not allow another project; delete one, or run the demo offline"),
            _ => failure,
        })?;
    steps.done(&format!(
        "Created project {} {:?}",
        project.id, project.name
    ))?;
    report.project = Some(ProjectFacts {
        id: project.id,
        name: project.name.clone(),
    });

    let outcome = steps_in_project(&mut steps, args, client, &project, suffix, &mut report).await;

    if args.keep {
        out.line("")?;
        steps.done(&format!(
            "Kept project {} and its sandbox (--keep)",
            project.id
        ))?;
    } else {
        match client.project(project.id).delete().await {
            Ok(_) => {
                report.cleaned_up = true;
                out.line("")?;
                steps.done(&format!("Deleted project {} and its sandbox", project.id))?;
            }
            Err(err) => {
                let failure =
                    Failure::api(&format!("delete the demo project {}", project.id), &err).hint(
                        format!(
                            "delete it yourself: mailtrap-sandbox projects delete {}",
                            project.id
                        ),
                    );
                if outcome.is_ok() {
                    return Err(failure);
                }
                note(&failure.to_string());
            }
        }
    }
    outcome?;
    out.show(&report, |_| {
        "\nDemo finished: every check passed.".to_owned()
    })
}

/// What a message must contain for its checks to pass.
struct Expected {
    link: &'static str,
    code: &'static str,
    attachment: Option<(&'static str, String)>,
}

async fn steps_in_project(
    steps: &mut Steps,
    args: &DemoArgs,
    client: &Client,
    project: &Project,
    suffix: &str,
    report: &mut Report,
) -> CliResult {
    let sandbox: Sandbox = client
        .project(project.id)
        .create_sandbox(format!("demo inbox{suffix}"))
        .await
        .doing(|| format!("create the demo sandbox in project {}", project.id))?;
    let target = SmtpTarget::of(&sandbox).map_err(Failure::error)?;
    steps.done(&format!(
        "Created sandbox {} {:?} (SMTP {}:{})",
        sandbox.id, sandbox.name, target.host, target.port
    ))?;
    report.sandbox = Some(SandboxFacts {
        id: sandbox.id,
        name: sandbox.name.clone(),
        smtp_host: target.host.clone(),
        smtp_port: target.port,
    });

    let welcome = WELCOME
        .render(&[
            ("company", COMPANY),
            ("name", CUSTOMER_NAME),
            ("activation_url", ACTIVATION_URL),
            ("code", WELCOME_CODE),
        ])
        .map_err(Failure::error)?;
    let sign_in = SIGN_IN
        .render(&[
            ("company", COMPANY),
            ("name", CUSTOMER_NAME),
            ("sign_in_url", SIGN_IN_URL),
            ("code", SIGN_IN_CODE),
        ])
        .map_err(Failure::error)?;
    steps.done(&format!(
        "Rendered the {:?} and {:?} templates for {CUSTOMER_NAME} (client side)",
        WELCOME.name, SIGN_IN.name
    ))?;

    let handle = client.sandbox(sandbox.id);
    let pdf = attachment::welcome_pdf();
    let pdf_sha = attachment::sha256_hex(&pdf);
    send_welcome(&handle, &welcome, pdf).await?;
    steps.done(&format!(
        "Sent {:?} through the sending API (Bcc {WELCOME_BCC}, attachment {})",
        welcome.subject,
        attachment::FILENAME
    ))?;

    let username = sandbox.username.clone();
    let password = sandbox
        .password
        .as_ref()
        .map(|secret| secret.expose().to_owned())
        .ok_or_else(|| {
            Failure::error(format!(
                "the API gave no SMTP password for sandbox {}",
                sandbox.id
            ))
            .hint("the token needs admin access to the sandbox to read its SMTP credentials")
        })?;
    let from = format!("{COMPANY} Security <{SECURITY_FROM}>");
    let to = format!("{CUSTOMER_NAME} <{CUSTOMER}>");
    let email = SmtpEmail {
        from: &from,
        to: &to,
        bcc: SIGN_IN_BCC,
        content: &sign_in,
    };
    smtp::send(&target, &username, &password, &email)
        .await
        .map_err(|reason| {
            Failure::error(format!(
                "could not send the sign-in email over SMTP: {reason}"
            ))
        })?;
    steps.done(&format!(
        "Sent {:?} over SMTP with the sandbox's credentials (Bcc {SIGN_IN_BCC})",
        sign_in.subject
    ))?;

    let spinner = steps.out.spinner("Waiting for both messages");
    let waited = wait_both(&handle, args.timeout, &welcome, &sign_in).await;
    spinner.finish_and_clear();
    let (welcome_id, sign_in_id) = waited?;
    steps.done(&format!(
        "Both messages arrived: {welcome_id} and {sign_in_id}"
    ))?;

    let checks = [
        (
            welcome_id,
            "sending API",
            Expected {
                link: ACTIVATION_URL,
                code: WELCOME_CODE,
                attachment: Some((attachment::FILENAME, pdf_sha)),
            },
        ),
        (
            sign_in_id,
            "SMTP server",
            Expected {
                link: SIGN_IN_URL,
                code: SIGN_IN_CODE,
                attachment: None,
            },
        ),
    ];
    let mut problems = Vec::new();
    for (id, through, expected) in checks {
        let mut facts = inspect(&handle, id, through).await?;
        for file in &mut facts.attachments {
            file.matches_sent = expected
                .attachment
                .as_ref()
                .is_some_and(|(name, sha)| file.filename == *name && file.sha256 == *sha);
        }
        steps.out.line("")?;
        steps.out.line(&facts.render())?;
        problems.extend(check(&facts, &expected));
        report.messages.push(facts);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Failure::error(format!(
            "the delivered messages failed checks: {}",
            problems.join("; ")
        )))
    }
}

async fn send_welcome(handle: &SandboxHandle, welcome: &Rendered, pdf: Vec<u8>) -> CliResult {
    let email = Email::new()
        .from((COMPANY, WELCOME_FROM))
        .to((CUSTOMER_NAME, CUSTOMER))
        .bcc(WELCOME_BCC)
        .subject(welcome.subject.as_str())
        .text(welcome.text.as_str())
        .html(welcome.html.as_str())
        .attach(
            EmailAttachment::from_bytes(attachment::FILENAME, pdf).content_type("application/pdf"),
        )
        .category("demo");
    handle
        .send(email)
        .await
        .doing(|| "send the welcome email through the sending API".to_owned())?;
    Ok(())
}

/// Waits for both messages (every message of the new sandbox counts: it was empty).
async fn wait_both(
    handle: &SandboxHandle,
    timeout: Duration,
    welcome: &Rendered,
    sign_in: &Rendered,
) -> CliResult<(mailtrap_sandbox::MessageId, mailtrap_sandbox::MessageId)> {
    let mut ids = Vec::with_capacity(2);
    for (what, subject) in [("welcome", &welcome.subject), ("sign-in", &sign_in.subject)] {
        let message = handle
            .wait_for(MessageFilter::new().subject(subject.as_str()).to(CUSTOMER))
            .since(0_u64)
            .timeout(timeout)
            .poll_interval(Duration::from_millis(250))
            .send()
            .await
            .doing(|| format!("wait for the {what} email"))?;
        ids.push(message.id);
    }
    match ids.as_slice() {
        [first, second] => Ok((*first, *second)),
        _ => Err(Failure::error("waiting for the messages gave no ids")),
    }
}

/// Reads everything the report shows about a delivered message.
async fn inspect(
    handle: &SandboxHandle,
    id: mailtrap_sandbox::MessageId,
    sent_through: &'static str,
) -> CliResult<MessageFacts> {
    let message = handle.message(id);
    let what = |part: &str| format!("read the {part} of message {id}");
    let headers = message.headers().await.doing(|| what("headers"))?;
    let eml = message.eml().await.doing(|| what(".eml file"))?;
    let spam = message.spam_report().await.doing(|| what("spam report"))?;
    let analysis = message
        .html_analysis()
        .await
        .doing(|| what("HTML analysis"))?;
    let listed = message
        .attachments()
        .list()
        .send()
        .await
        .doing(|| what("attachments"))?;
    let mut attachments = Vec::with_capacity(listed.len());
    for file in &listed {
        let bytes = message
            .attachments()
            .download(file)
            .await
            .doing(|| what(&format!("attachment {}", file.filename)))?
            .bytes()
            .await
            .doing(|| what(&format!("attachment {}", file.filename)))?;
        attachments.push(AttachmentFacts {
            filename: file.filename.clone(),
            content_type: file.content_type.clone(),
            size: bytes.len() as u64,
            sha256: attachment::sha256_hex(&bytes),
            matches_sent: false,
        });
    }
    let link = eml
        .anchors()
        .into_iter()
        .find(|anchor| anchor.href.starts_with("http"))
        .map(|anchor| LinkFacts {
            url: anchor.href,
            text: anchor.text,
        })
        .or_else(|| {
            eml.links().into_iter().next().map(|url| LinkFacts {
                url,
                text: String::new(),
            })
        });
    Ok(MessageFacts {
        sent_through,
        id,
        subject: eml.subject().unwrap_or_default().to_owned(),
        from: headers.from().unwrap_or_default().to_owned(),
        to: headers.to().unwrap_or_default().to_owned(),
        bcc: headers.get("bcc").map(str::to_owned),
        link,
        code: eml.one_time_code(),
        attachments,
        spam: SpamFacts {
            score: spam.score,
            threshold: spam.threshold,
            spam: spam.spam,
            rules: spam
                .details
                .iter()
                .map(|rule| rule.rule_name.clone())
                .collect(),
        },
        html_analysis: HtmlFacts {
            status: analysis.status.as_ref().map(ToString::to_string),
            issues: analysis
                .errors
                .iter()
                .map(|issue| issue.rule_name.clone())
                .collect(),
        },
        placeholders_left: eml.placeholders().iter().map(ToString::to_string).collect(),
    })
}

/// Compares a delivered message with what was sent; marks matching attachments.
fn check(facts: &MessageFacts, expected: &Expected) -> Vec<String> {
    let mut problems = Vec::new();
    let id = facts.id;
    if facts.link.as_ref().map(|link| link.url.as_str()) != Some(expected.link) {
        problems.push(format!("message {id}: the link is not {}", expected.link));
    }
    if facts.code.as_deref() != Some(expected.code) {
        problems.push(format!(
            "message {id}: the one-time code is not {}",
            expected.code
        ));
    }
    if let Some((name, sha)) = &expected.attachment {
        match facts.attachments.iter().find(|file| file.filename == *name) {
            Some(file) if file.sha256 == *sha => {}
            Some(_) => problems.push(format!("message {id}: {name} differs from the file sent")),
            None => problems.push(format!("message {id}: the attachment {name} is missing")),
        }
    }
    if !facts.placeholders_left.is_empty() {
        problems.push(format!(
            "message {id}: template placeholders left: {}",
            facts.placeholders_left.join(", ")
        ));
    }
    problems
}
