//! Parsers for flag values that are more than a number or a string: durations (`90s`) and
//! permissions (`sandbox:4310001:viewer`). A value that does not parse is a usage error
//! (exit code 2) with a message saying what is expected.

use std::time::Duration;

use mailtrap_sandbox::models::{AccessLevel, PermissionChange, ResourceType, TokenResource};

/// Parses `90s`, `2m`, `1h`, `500ms`, `1m30s` or a bare number of seconds (`45`, `2.5`).
pub(crate) fn parse_duration(input: &str) -> Result<Duration, String> {
    let text = input.trim();
    let invalid = || {
        format!(
            "`{input}` is not a duration: use a number with a unit, such as 90s, 2m, 500ms or 1m30s"
        )
    };
    if text.is_empty() {
        return Err(invalid());
    }
    if let Ok(seconds) = text.parse::<f64>() {
        return Duration::try_from_secs_f64(seconds).map_err(|_| invalid());
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(invalid)?;
        let (number, after) = rest.split_at(number_len);
        let unit_len = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_len);
        let value: f64 = number.parse().map_err(|_| invalid())?;
        let scale = match unit {
            "ms" => 0.001,
            "s" | "sec" => 1.0,
            "m" | "min" => 60.0,
            "h" => 3600.0,
            _ => return Err(invalid()),
        };
        total += Duration::try_from_secs_f64(value * scale).map_err(|_| invalid())?;
        rest = next;
    }
    Ok(total)
}

/// Parses a template variable, `NAME=VALUE` (the value may be empty or hold `=`).
pub(crate) fn parse_variable(input: &str) -> Result<(String, String), String> {
    match input.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_owned(), value.to_owned()))
        }
        _ => Err(format!(
            "`{input}` is not a variable: expected NAME=VALUE, for instance user_name=Ana"
        )),
    }
}

/// An access level given on the command line: a name or a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Level(pub(crate) AccessLevel);

/// Parses `owner`, `admin`, `viewer`, `limited` or a number (`100`).
pub(crate) fn parse_level(input: &str) -> Result<Level, String> {
    let level = match input.trim().to_ascii_lowercase().as_str() {
        "owner" => AccessLevel::Owner,
        "admin" => AccessLevel::Admin,
        "viewer" => AccessLevel::Viewer,
        "limited" => AccessLevel::Limited,
        other => AccessLevel::from_number(other.parse::<i64>().map_err(|_| {
            format!(
                "`{input}` is not an access level: use admin, viewer, owner, limited or a number"
            )
        })?),
    };
    Ok(Level(level))
}

/// Parses a resource type name (`sandbox`, `inbox`, `project`, `account`, ...).
fn parse_type(input: &str) -> Result<ResourceType, String> {
    let name = input.trim().to_ascii_lowercase();
    match ResourceType::from(name.as_str()) {
        ResourceType::Other(_) => Err(format!(
            "`{input}` is not a resource type: use account, project, sandbox, domain, billing or organization"
        )),
        known => Ok(known),
    }
}

/// Parses a resource id.
fn parse_id(input: &str) -> Result<u64, String> {
    input
        .trim()
        .parse()
        .map_err(|_| format!("`{input}` is not a resource id: expected a whole number"))
}

/// A permission to give: `TYPE:ID:LEVEL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Grant {
    pub(crate) resource_type: ResourceType,
    pub(crate) resource_id: u64,
    pub(crate) level: AccessLevel,
}

impl Grant {
    /// As a change for the bulk permissions request.
    pub(crate) fn to_change(&self) -> PermissionChange {
        PermissionChange::grant(self.resource_type.clone(), self.resource_id, self.level)
    }

    /// As a resource of a new API token.
    pub(crate) fn to_token_resource(&self) -> TokenResource {
        TokenResource::new(self.resource_type.clone(), self.resource_id, self.level)
    }
}

/// Parses `sandbox:4310001:viewer`.
pub(crate) fn parse_grant(input: &str) -> Result<Grant, String> {
    let parts: Vec<&str> = input.split(':').collect();
    let [kind, id, level] = parts.as_slice() else {
        return Err(format!(
            "`{input}` is not a permission: expected TYPE:ID:LEVEL, for instance sandbox:4310001:viewer"
        ));
    };
    Ok(Grant {
        resource_type: parse_type(kind)?,
        resource_id: parse_id(id)?,
        level: parse_level(level)?.0,
    })
}

/// A permission to take away: `TYPE:ID`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Revoke {
    pub(crate) resource_type: ResourceType,
    pub(crate) resource_id: u64,
}

impl Revoke {
    /// As a change for the bulk permissions request.
    pub(crate) fn to_change(&self) -> PermissionChange {
        PermissionChange::revoke(self.resource_type.clone(), self.resource_id)
    }
}

/// Parses `project:2640001`.
pub(crate) fn parse_revoke(input: &str) -> Result<Revoke, String> {
    let parts: Vec<&str> = input.split(':').collect();
    let [kind, id] = parts.as_slice() else {
        return Err(format!(
            "`{input}` is not a resource: expected TYPE:ID, for instance project:2640001"
        ));
    };
    Ok(Revoke {
        resource_type: parse_type(kind)?,
        resource_id: parse_id(id)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("45"), Ok(Duration::from_secs(45)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        for bad in ["", "s", "10x", "ten", "-3s", "1m-2s", "5 s"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn variables() {
        assert_eq!(
            parse_variable("name=Ana"),
            Ok(("name".to_owned(), "Ana".to_owned()))
        );
        assert_eq!(
            parse_variable("url=https://x.test/?a=b"),
            Ok(("url".to_owned(), "https://x.test/?a=b".to_owned()))
        );
        assert_eq!(
            parse_variable("empty="),
            Ok(("empty".to_owned(), String::new()))
        );
        assert!(parse_variable("=x").is_err());
        assert!(parse_variable("novalue").is_err());
    }

    #[test]
    fn grants_and_revokes() {
        let grant = parse_grant("sandbox:4310001:viewer").unwrap();
        assert_eq!(grant.resource_type, ResourceType::Sandbox);
        assert_eq!(grant.resource_id, 4_310_001);
        assert_eq!(grant.level, AccessLevel::Viewer);
        assert_eq!(
            parse_grant("inbox:1:100").unwrap().level,
            AccessLevel::Admin
        );
        assert!(parse_grant("sandbox:1").is_err());
        assert!(parse_grant("planet:1:viewer").is_err());
        assert!(parse_grant("sandbox:x:viewer").is_err());
        assert!(parse_grant("sandbox:1:boss").is_err());
        let revoke = parse_revoke("project:7").unwrap();
        assert_eq!(revoke.resource_type, ResourceType::Project);
        assert!(parse_revoke("project").is_err());
    }
}
