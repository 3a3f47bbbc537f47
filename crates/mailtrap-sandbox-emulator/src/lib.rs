//! A local server that speaks the Mailtrap Sandbox API and SMTP.

pub mod analysis;
pub mod mail;
pub mod smtp;
