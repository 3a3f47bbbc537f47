//! One module per command family; each turns its arguments into SDK calls and shows the
//! result through [`crate::output::Out`].

mod access;
mod account;
mod attachments;
mod messages;
mod projects;
mod sandboxes;
mod send;
mod serve;
mod wait;

use crate::cli::{Cli, Command};
use crate::context::Ctx;
use crate::failure::CliResult;
use crate::output::Out;

/// Runs the command the user asked for. API commands build their client first (and fail
/// with exit code 5 without a token); `serve` and the offline `demo` need none.
pub(crate) async fn run(cli: Cli) -> CliResult {
    let Cli { global, command } = cli;
    let ctx = || Ctx::new(&global);
    match command {
        Command::Serve(args) => serve::run(args, Out::new(global.json)).await,
        Command::Demo(args) => crate::demo::run(&args, &global).await,
        Command::Projects(command) => projects::run(&ctx()?, command).await,
        Command::Sandboxes(command) => sandboxes::run(&ctx()?, command).await,
        Command::Messages(command) => messages::run(&ctx()?, command).await,
        Command::Attachments(command) => attachments::run(&ctx()?, command).await,
        Command::Wait(args) => wait::run(&Ctx::within(&global, args.timeout)?, args).await,
        Command::Send(args) => send::run(&ctx()?, *args).await,
        Command::Users(command) => access::users(&ctx()?, command).await,
        Command::Permissions(command) => access::permissions(&ctx()?, command).await,
        Command::Accounts(command) => account::accounts(&ctx()?, command).await,
        Command::Tokens(command) => account::tokens(&ctx()?, command).await,
        Command::Billing(command) => account::billing(&ctx()?, command).await,
        Command::SubAccounts(command) => account::sub_accounts(&ctx()?, command).await,
    }
}
