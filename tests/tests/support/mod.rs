//! Pieces shared by the end-to-end test files that include this module (`mod support;`).

use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, Tokio1Executor};
use mailtrap_sandbox_emulator::RunningEmulator;

/// An SMTP client for the emulator, logged in with the seeded sandbox's credentials.
pub(crate) fn smtp_mailer(emulator: &RunningEmulator) -> AsyncSmtpTransport<Tokio1Executor> {
    let smtp = emulator.smtp_addr();
    let seeded = emulator.sandbox();
    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.ip().to_string())
        .port(smtp.port())
        .credentials(Credentials::new(
            seeded.smtp_username.clone(),
            seeded.smtp_password.clone(),
        ))
        .build()
}
