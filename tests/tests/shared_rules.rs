//! The facade checks an email before sending it with the rules the emulator's sending API
//! applies: the same reserved headers, the same limits, the same verdict on an address. They
//! are two crates that cannot depend on each other (the facade can embed the emulator), so
//! this test keeps them equal.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use mailtrap_sandbox::email::{self, Mailbox};
use mailtrap_sandbox_emulator::mail;

fn lowercase(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|name| name.to_ascii_lowercase()).collect()
}

#[test]
fn reserved_headers_and_limits_are_the_same() {
    assert_eq!(
        lowercase(email::RESERVED_HEADERS),
        lowercase(mail::RESERVED_HEADERS)
    );
    assert_eq!(
        email::MAX_RECIPIENTS_PER_FIELD,
        mail::MAX_RECIPIENTS_PER_FIELD
    );
    assert_eq!(email::MAX_CATEGORY_LEN, mail::MAX_CATEGORY_LEN);
    assert_eq!(
        email::MAX_CUSTOM_VARIABLES_BYTES,
        mail::MAX_CUSTOM_VARIABLES_BYTES
    );
}

#[test]
fn addresses_get_the_same_verdict() {
    let long_local = format!("{}@example.com", "a".repeat(65));
    let long_domain = format!("a@{}.com", "b".repeat(64));
    let addresses = [
        "user@example.com",
        "first.last+tag@mail.example.co.uk",
        "o'brien@example.org",
        "x@a-b.io",
        "josé@exämple.de",
        "",
        "plain",
        "@example.com",
        "user@",
        "user@localhost",
        "user@@example.com",
        "a@b@example.com",
        "user@-example.com",
        "user@example-.com",
        "us er@example.com",
        ".user@example.com",
        "user.@example.com",
        "us..er@example.com",
        "user@example..com",
        "user@127.0.0.1",
        "user@[127.0.0.1]",
        "\"quoted\"@example.com",
        long_local.as_str(),
        long_domain.as_str(),
    ];
    // (`Mailbox::from` reads `Name <addr>` forms; the address itself is what is compared.)
    for address in addresses {
        assert_eq!(
            Mailbox::from(address).is_valid(),
            mail::is_valid_email(address),
            "{address:?}"
        );
    }
    assert!(mail::is_valid_email("user@example.com"));
    assert!(!mail::is_valid_email("user@localhost"));
}
