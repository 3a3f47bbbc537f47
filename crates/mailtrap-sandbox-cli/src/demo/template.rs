//! The demo's email templates, rendered here, on the client side.
//!
//! Why not the emulator's template registry (`template_uuid` + `template_variables`)? The
//! demo sends one email through the sending API and one through SMTP, and runs unchanged
//! against real Mailtrap with `--live`: SMTP has no templates, and a live account has no
//! template the demo could rely on. Rendering here gives both messages the same path in both
//! modes; the demo then checks, on the messages as delivered, that no placeholder was left.

use mailtrap_sandbox_emulator::templates::fill_placeholders;

/// A template: subject, text and HTML with `{{name}}` placeholders.
#[derive(Debug, Clone, Copy)]
pub(super) struct Template {
    pub(super) name: &'static str,
    pub(super) subject: &'static str,
    pub(super) text: &'static str,
    pub(super) html: &'static str,
}

/// A rendered template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Rendered {
    pub(super) subject: String,
    pub(super) text: String,
    pub(super) html: String,
}

/// The welcome email, sent through the sending API with an attachment and a Bcc.
pub(super) const WELCOME: Template = Template {
    name: "welcome",
    subject: "Welcome to {{company}}, {{name}}!",
    text: "Hi {{name}},\n\n\
           your {{company}} account is ready. Activate it here:\n\
           {{activation_url}}\n\n\
           Your verification code is {{code}}.\n\
           The welcome pack is attached.\n\n\
           -- The {{company}} team\n",
    html: "<!DOCTYPE html>\n<html><body>\n\
           <p>Hi {{name}},</p>\n\
           <p>your {{company}} account is ready.</p>\n\
           <p><a href=\"{{activation_url}}\">Activate your account</a></p>\n\
           <p>Your verification code is <strong>{{code}}</strong>.</p>\n\
           <p>The welcome pack is attached.</p>\n\
           <p>-- The {{company}} team</p>\n\
           </body></html>\n",
};

/// The sign-in email, sent over SMTP with the sandbox's credentials.
pub(super) const SIGN_IN: Template = Template {
    name: "sign-in",
    subject: "Your {{company}} sign-in code",
    text: "Hi {{name}},\n\n\
           use this code to sign in: {{code}}\n\
           or open {{sign_in_url}}\n\n\
           If it was not you, ignore this email.\n",
    html: "<!DOCTYPE html>\n<html><body>\n\
           <p>Hi {{name}},</p>\n\
           <p>use this code to sign in: <strong>{{code}}</strong></p>\n\
           <p>or <a href=\"{{sign_in_url}}\">sign in with one click</a>.</p>\n\
           <p>If it was not you, ignore this email.</p>\n\
           </body></html>\n",
};

impl Template {
    /// Fills every placeholder; a placeholder without a value is an error naming it.
    pub(super) fn render(&self, variables: &[(&str, &str)]) -> Result<Rendered, String> {
        Ok(Rendered {
            subject: fill(self.name, self.subject, variables, false)?,
            text: fill(self.name, self.text, variables, false)?,
            html: fill(self.name, self.html, variables, true)?,
        })
    }
}

/// Replaces each `{{ name }}` of `source` with its value (HTML-escaped in HTML), with the
/// emulator's renderer; a placeholder without a value, or never closed, is an error.
fn fill(
    template: &str,
    source: &str,
    variables: &[(&str, &str)],
    html: bool,
) -> Result<String, String> {
    let filled = fill_placeholders(source, html, |name| {
        variables
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| (*value).to_owned())
            .ok_or_else(|| {
                format!("template {template} uses {{{{{name}}}}} but the demo gives it no value")
            })
    })?;
    if filled.contains("{{") {
        return Err(format!("template {template}: a `{{{{` is never closed"));
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_placeholder_and_escapes_html() {
        let rendered = WELCOME
            .render(&[
                ("company", "Acme & Co"),
                ("name", "Ana"),
                ("activation_url", "https://app.acme.test/a?x=1&y=2"),
                ("code", "482913"),
            ])
            .unwrap();
        assert_eq!(rendered.subject, "Welcome to Acme & Co, Ana!");
        assert!(rendered.text.contains("https://app.acme.test/a?x=1&y=2\n"));
        assert!(
            rendered
                .html
                .contains("href=\"https://app.acme.test/a?x=1&amp;y=2\"")
        );
        assert!(rendered.html.contains("Acme &amp; Co"));
        assert!(!rendered.html.contains("{{"));
    }

    #[test]
    fn a_missing_variable_is_named() {
        let err = SIGN_IN.render(&[("company", "Acme")]).unwrap_err();
        assert_eq!(
            err,
            "template sign-in uses {{name}} but the demo gives it no value"
        );
    }
}
