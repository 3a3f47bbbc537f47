//! The state of a fresh emulator: one account (with its organization and owner), a teammate
//! with viewer access to the project, one project, one sandbox with SMTP credentials and an
//! enabled email address, one API token (the emulator's) and one example template.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::model::{
    Access, Account, ApiToken, Counters, Organization, Project, Registry, Resource, ResourceType,
    Sandbox, Specifier, User,
};
use crate::config::SandboxLimits;
use crate::random;
use crate::templates::Template;

pub(crate) const ACCOUNT_ID: u64 = 1_730_001;
pub(crate) const ORGANIZATION_ID: u64 = 940_001;
const OWNER_USER_ID: u64 = 2_410_001;
const OWNER_ACCESS_ID: u64 = 5_210_001;
/// The access and token ids of the emulator's own API token.
pub(crate) const TOKEN_ACCESS_ID: u64 = 5_210_002;
pub(crate) const TOKEN_ID: u64 = 880_001;
/// The teammate: a user other than the owner, so that removing an access and changing
/// permissions can be tried on someone they apply to.
const TEAMMATE_USER_ID: u64 = 2_410_002;
const TEAMMATE_ACCESS_ID: u64 = 5_210_003;
const PROJECT_ID: u64 = 2_640_001;
const SANDBOX_ID: u64 = 4_310_001;
const TEMPLATE_ID: u64 = 61_001;
/// Message ids start above 2^32 so that clients with 32-bit ids fail in tests.
pub(crate) const FIRST_MESSAGE_ID: u64 = 5_000_000_001;
pub(crate) const FIRST_ATTACHMENT_ID: u64 = 7_000_000_001;

/// The uuid of the example template.
pub(crate) const TEMPLATE_UUID: &str = "5f0d3c2e-8a41-4b7e-9c1d-2a6e7b8f9d10";

/// Access levels.
pub(crate) const OWNER_LEVEL: u32 = 1000;
pub(crate) const ADMIN_LEVEL: u32 = 100;
pub(crate) const VIEWER_LEVEL: u32 = 10;

/// Builds the fresh state.
pub(crate) fn build(api_token: &str, limits: SandboxLimits, now: DateTime<Utc>) -> Registry {
    let next = Counters {
        project: PROJECT_ID + 1,
        sandbox: SANDBOX_ID + 1,
        access: TEAMMATE_ACCESS_ID + 1,
        api_token: TOKEN_ID + 1,
        sub_account: ACCOUNT_ID + 1,
        template: TEMPLATE_ID + 1,
        message: FIRST_MESSAGE_ID,
        attachment: FIRST_ATTACHMENT_ID,
    };
    let project = new_project(PROJECT_ID, "Emulator project", now);
    let mut sandbox = new_sandbox(SANDBOX_ID, PROJECT_ID, "Emulator sandbox", limits, now);
    sandbox.email_username_enabled = true;
    let mut registry = Registry {
        account: Account {
            id: ACCOUNT_ID,
            name: "Emulator account".to_owned(),
        },
        organization: Organization {
            id: ORGANIZATION_ID,
            name: "Emulator organization".to_owned(),
        },
        owner: User {
            id: OWNER_USER_ID,
            name: "Emulator Owner".to_owned(),
            email: "owner@emulator.localhost".to_owned(),
        },
        projects: BTreeMap::from([(project.id, project)]),
        sandboxes: BTreeMap::from([(sandbox.id, sandbox)]),
        accesses: BTreeMap::from([
            (
                OWNER_ACCESS_ID,
                Access {
                    id: OWNER_ACCESS_ID,
                    specifier: Specifier::Owner,
                    resources: vec![Resource {
                        resource_type: ResourceType::Account,
                        resource_id: ACCOUNT_ID,
                        access_level: OWNER_LEVEL,
                    }],
                },
            ),
            (
                TEAMMATE_ACCESS_ID,
                Access {
                    id: TEAMMATE_ACCESS_ID,
                    specifier: Specifier::User(User {
                        id: TEAMMATE_USER_ID,
                        name: "Emulator Teammate".to_owned(),
                        email: "teammate@emulator.localhost".to_owned(),
                    }),
                    resources: vec![Resource {
                        resource_type: ResourceType::Project,
                        resource_id: PROJECT_ID,
                        access_level: VIEWER_LEVEL,
                    }],
                },
            ),
        ]),
        api_tokens: BTreeMap::new(),
        sub_accounts: BTreeMap::new(),
        templates: BTreeMap::new(),
        forwards: Vec::new(),
        next,
    };
    install_emulator_token(&mut registry, api_token, now);
    let template = Template {
        id: TEMPLATE_ID,
        uuid: TEMPLATE_UUID.to_owned(),
        name: "Welcome".to_owned(),
        subject: "Welcome to {{company}}, {{user.name}}!".to_owned(),
        text: Some("Hello {{user.name}},\n\nyour account at {{company}} is ready.\n".to_owned()),
        html: Some(
            "<p>Hello <strong>{{user.name}}</strong>,</p>\n<p>your account at {{company}} is ready.</p>\n"
                .to_owned(),
        ),
        created_at: now,
    };
    registry.templates.insert(template.uuid.clone(), template);
    registry
}

/// Makes `token` the emulator's own API token (id [`TOKEN_ID`]), re-creating it and its
/// account access if they were deleted.
pub(crate) fn install_emulator_token(registry: &mut Registry, token: &str, now: DateTime<Utc>) {
    registry
        .accesses
        .entry(TOKEN_ACCESS_ID)
        .or_insert_with(|| Access {
            id: TOKEN_ACCESS_ID,
            specifier: Specifier::ApiToken { token_id: TOKEN_ID },
            resources: vec![Resource {
                resource_type: ResourceType::Account,
                resource_id: ACCOUNT_ID,
                access_level: ADMIN_LEVEL,
            }],
        });
    registry
        .api_tokens
        .entry(TOKEN_ID)
        .and_modify(|t| t.token = token.to_owned())
        .or_insert_with(|| ApiToken {
            id: TOKEN_ID,
            name: "Emulator token".to_owned(),
            token: token.to_owned(),
            access_id: TOKEN_ACCESS_ID,
            created_at: now,
            expires_at: None,
        });
}

/// A new project.
pub(crate) fn new_project(id: u64, name: &str, now: DateTime<Utc>) -> Project {
    Project {
        id,
        name: name.to_owned(),
        share_key: random::hex(40),
        created_at: now,
    }
}

/// A new sandbox with fresh credentials; its email address starts disabled, as on Mailtrap.
pub(crate) fn new_sandbox(
    id: u64,
    project_id: u64,
    name: &str,
    limits: SandboxLimits,
    now: DateTime<Utc>,
) -> Sandbox {
    Sandbox {
        id,
        project_id,
        name: name.to_owned(),
        username: random::hex(14),
        password: random::hex(14),
        email_username: new_email_username(),
        email_username_enabled: false,
        max_size: limits.max_size,
        max_message_size: limits.max_message_size,
        sent_messages_count: 0,
        forwarded_messages_count: 0,
        last_message_sent_at: None,
        created_at: now,
    }
}

/// A fresh email username, `1a2b3c4d5e-6f7a8b`.
pub(crate) fn new_email_username() -> String {
    format!("{}-{}", random::hex(10), random::hex(6))
}
