//! Reading and writing YAML documents as ordered JSON values.
//!
//! Everything in the pipeline works on `serde_json::Value` with preserved key order, so that
//! the output follows the input's order and is the same on every run.

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value};

/// Parses YAML text into an ordered JSON value. Mapping keys that YAML reads as numbers or
/// booleans (an unquoted `200:` response code, say) become strings.
pub fn parse(text: &str, what: &str) -> Result<Value> {
    let yaml: yaml_serde::Value =
        yaml_serde::from_str(text).with_context(|| format!("{what} is not valid YAML"))?;
    to_json(yaml).with_context(|| format!("{what} holds a value that JSON cannot represent"))
}

fn to_json(value: yaml_serde::Value) -> Result<Value> {
    Ok(match value {
        yaml_serde::Value::Null => Value::Null,
        yaml_serde::Value::Bool(b) => Value::Bool(b),
        yaml_serde::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else if let Some(f) = n.as_f64() {
                serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
            } else {
                bail!("unsupported number {n}")
            }
        }
        yaml_serde::Value::String(s) => Value::String(s),
        yaml_serde::Value::Sequence(items) => {
            Value::Array(items.into_iter().map(to_json).collect::<Result<_>>()?)
        }
        yaml_serde::Value::Mapping(mapping) => {
            let mut map = Map::new();
            for (key, value) in mapping {
                let key = match key {
                    yaml_serde::Value::String(s) => s,
                    yaml_serde::Value::Number(n) => n.to_string(),
                    yaml_serde::Value::Bool(b) => b.to_string(),
                    other => bail!("unsupported mapping key {other:?}"),
                };
                map.insert(key, to_json(value)?);
            }
            Value::Object(map)
        }
        yaml_serde::Value::Tagged(tagged) => to_json(tagged.value)?,
    })
}

/// Renders a value as YAML, after a comment header.
pub fn render(value: &Value, header: &str) -> Result<String> {
    let body = yaml_serde::to_string(value).context("cannot render YAML")?;
    let mut out = comment(header);
    out.push_str(&body);
    Ok(out)
}

/// `text` as YAML comment lines.
pub fn comment(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.lines() {
        out.push_str("# ");
        out.push_str(line);
        out.push('\n');
    }
    out
}
