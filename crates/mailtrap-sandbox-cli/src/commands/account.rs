//! `accounts list`, `tokens list|get|create|delete|reset`, `billing usage`,
//! `sub-accounts list|create`.

use serde_json::json;

use crate::cli::{AccountsCommand, BillingCommand, SubAccountsCommand, TokensCommand};
use crate::context::Ctx;
use crate::failure::{CliResult, Doing as _};
use crate::render;

pub(super) async fn accounts(ctx: &Ctx, command: AccountsCommand) -> CliResult {
    match command {
        AccountsCommand::List => {
            let list = ctx
                .client
                .accounts()
                .await
                .doing(|| "list accounts".to_owned())?;
            ctx.out.show(&list, |list| render::accounts(list))
        }
    }
}

pub(super) async fn tokens(ctx: &Ctx, command: TokensCommand) -> CliResult {
    let client = &ctx.client;
    match command {
        TokensCommand::List => {
            let list = client
                .api_tokens()
                .list()
                .await
                .doing(|| "list API tokens".to_owned())?;
            ctx.out.show(&list, |list| render::tokens(list))
        }
        TokensCommand::Get { id } => {
            let token = client
                .api_token(id)
                .get()
                .await
                .doing(|| format!("get API token {id}"))?;
            ctx.out.show(&token, render::token)
        }
        TokensCommand::Create { name, resource } => {
            let mut create = client.api_tokens().create(name.as_str());
            for grant in &resource {
                create = create.resource(grant.to_token_resource());
            }
            let created = create
                .send()
                .await
                .doing(|| format!("create API token {name:?}"))?;
            ctx.out.show(&created, render::new_token)
        }
        TokensCommand::Delete { id } => {
            client
                .api_token(id)
                .delete()
                .await
                .doing(|| format!("delete API token {id}"))?;
            ctx.out.show(&json!({ "id": id, "deleted": true }), |_| {
                format!("Deleted API token {id}.")
            })
        }
        TokensCommand::Reset { id } => {
            let reset = client
                .api_token(id)
                .reset()
                .await
                .doing(|| format!("reset API token {id}"))?;
            ctx.out.show(&reset, render::new_token)
        }
    }
}

pub(super) async fn billing(ctx: &Ctx, command: BillingCommand) -> CliResult {
    match command {
        BillingCommand::Usage => {
            let usage = ctx
                .client
                .billing_usage()
                .await
                .doing(|| "get the billing usage".to_owned())?;
            ctx.out.show(&usage, render::billing)
        }
    }
}

pub(super) async fn sub_accounts(ctx: &Ctx, command: SubAccountsCommand) -> CliResult {
    let client = &ctx.client;
    match command {
        SubAccountsCommand::List { organization } => {
            let list = client
                .organization(organization)
                .sub_accounts()
                .await
                .doing(|| format!("list the sub-accounts of organization {organization}"))?;
            ctx.out.show(&list, |list| render::sub_accounts(list))
        }
        SubAccountsCommand::Create { organization, name } => {
            let account = client
                .organization(organization)
                .create_sub_account(name.as_str())
                .await
                .doing(|| format!("create sub-account {name:?} in organization {organization}"))?;
            ctx.out.show(&account, |account| {
                format!("Created sub-account {} {:?}.", account.id, account.name)
            })
        }
    }
}
