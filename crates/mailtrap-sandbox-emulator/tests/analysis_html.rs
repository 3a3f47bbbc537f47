//! The HTML analysis: each rule fires on its construct with the right line, and not otherwise.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use mailtrap_sandbox_emulator::analysis::html_analysis;

/// (line, rule) pairs reported for `html`.
fn issues(html: &str) -> Vec<(u32, String)> {
    let analysis = html_analysis(Some(html));
    assert_eq!(analysis.status, "success");
    analysis
        .errors
        .iter()
        .map(|e| (e.error_line, e.rule_name.clone()))
        .collect()
}

fn rules(html: &str) -> Vec<String> {
    issues(html).into_iter().map(|(_, rule)| rule).collect()
}

/// A safe, table-based email used as the negative case of every rule.
const SAFE: &str = "<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\"><title>Hi</title></head>\n\
<body>\n<table role=\"presentation\" width=\"100%\"><tr><td style=\"color: #333; padding: 8px; \
background-color: #fff; display: block; font-family: Arial\">\n<p>Hello <b>there</b>, the word \
script and position: absolute in text are fine.</p>\n<img src=\"https://cdn.example/a.png\" \
alt=\"a\">\n<a href=\"https://example.com\">link</a>\n</td></tr></table>\n</body>\n</html>";

#[test]
fn none_empty_and_safe_html_report_nothing() {
    assert!(html_analysis(None).errors.is_empty());
    assert_eq!(html_analysis(None).status, "success");
    assert!(html_analysis(Some("")).errors.is_empty());
    assert!(html_analysis(Some("  \n ")).errors.is_empty());
    assert_eq!(issues(SAFE), []);
}

fn assert_rule(html: &str, rule: &str, line: u32) {
    let found = issues(html);
    assert!(
        found.contains(&(line, rule.to_owned())),
        "{rule} on line {line} expected in {found:?} for\n{html}"
    );
}

#[test]
fn html_script() {
    assert_rule(
        "<p>x</p>\n<script>var a = '<form>';</script>",
        "html-script",
        2,
    );
    // Markup-looking text inside a script is not markup.
    assert_eq!(rules("<script>var a = '<form>';</script>"), ["html-script"]);
}

#[test]
fn html_iframe() {
    assert_rule(
        "<div>\n\n<iframe src=\"https://v.example\"></iframe></div>",
        "html-iframe",
        3,
    );
}

#[test]
fn html_object() {
    assert_rule("<object data=\"a.swf\"></object>", "html-object", 1);
    assert_rule("<p>\n<embed src=\"a.swf\">", "html-object", 2);
}

#[test]
fn html_form() {
    let html = "<form action=\"https://x.example\">\n<input name=q>\n<select></select><textarea></textarea></form>";
    let found = issues(html);
    assert_eq!(
        found,
        [
            (1, "html-form".to_owned()),
            (2, "html-form".to_owned()),
            (3, "html-form".to_owned())
        ],
        "one entry per rule and line"
    );
}

#[test]
fn html_video_and_audio() {
    assert_rule(
        "<video src=a.mp4></video>\n<audio src=a.mp3>",
        "html-video",
        1,
    );
    assert_rule(
        "<video src=a.mp4></video>\n<audio src=a.mp3>",
        "html-audio",
        2,
    );
}

#[test]
fn html_svg() {
    assert_rule(
        "<p>logo</p>\n<svg width=10><circle r=4/></svg>",
        "html-svg",
        2,
    );
    assert!(!rules("<img src=\"logo.svg\">").contains(&"html-svg".to_owned()));
}

#[test]
fn html_link_stylesheet() {
    assert_rule(
        "<head>\n<link rel=\"Stylesheet\" href=\"https://cdn.example/a.css\">",
        "html-link-stylesheet",
        2,
    );
    assert!(rules("<link rel=\"icon\" href=\"/favicon.ico\">").is_empty());
}

#[test]
fn css_style_element() {
    assert_rule(
        "<head>\n<style>p { color: red }</style>",
        "css-style-element",
        2,
    );
}

#[test]
fn css_import_and_font_face_in_style() {
    let html = "<style>\n@import url(https://fonts.example/a.css);\n\
@font-face {\n font-family: Brand;\n src: url(brand.woff2);\n}\n</style>";
    assert_rule(html, "css-import", 2);
    assert_rule(html, "css-font-face", 3);
    assert!(
        !rules("<style>/* @import is mentioned in a comment */ p{}</style>")
            .contains(&"css-import".to_owned())
    );
}

#[test]
fn css_position_in_stylesheet_and_attribute() {
    let html = "<style>\n.a { color: red;\n  position: absolute; }\n</style>\n\
<div style=\"top: 0; position:fixed\">x</div>";
    assert_rule(html, "css-position", 3);
    assert_rule(html, "css-position", 5);
    assert!(
        !rules("<div style=\"position: static; background-position: 0 0\">x</div>")
            .contains(&"css-position".to_owned())
    );
}

#[test]
fn css_display_flex_and_grid() {
    let html = "<div style=\"display:flex\">a</div>\n<div style=\"display: inline-grid !important\">b</div>";
    assert_rule(html, "css-display-flex", 1);
    assert_rule(html, "css-display-grid", 2);
    assert!(rules("<div style=\"display: inline-block\">a</div>").is_empty());
}

#[test]
fn css_background_image() {
    assert_rule(
        "<td style=\"background-image: url('bg.png')\">x</td>",
        "css-background-image",
        1,
    );
    assert_rule(
        "<style>\nbody { background: #fff url(bg.png) no-repeat; }\n</style>",
        "css-background-image",
        2,
    );
    assert_rule(
        "<table>\n<td background=\"bg.png\">x</td>",
        "css-background-image",
        2,
    );
    assert!(
        !rules("<td style=\"background: #ffffff\">x</td>")
            .contains(&"css-background-image".to_owned())
    );
}

#[test]
fn lines_follow_the_html_body() {
    let html = "line one\nline two\n\nline four <script></script>";
    assert_eq!(issues(html), [(4, "html-script".to_owned())]);
}

#[test]
fn issue_json_shape() {
    let analysis = html_analysis(Some("<script></script>"));
    let json = serde_json::to_value(&analysis).unwrap();
    assert_eq!(json["status"], "success");
    let error = json["errors"][0].as_object().unwrap();
    let mut keys: Vec<&str> = error.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["email_clients", "error_line", "rule_name"]);
    assert_eq!(error["error_line"], 1);
    assert_eq!(error["rule_name"], "html-script");
    let clients = error["email_clients"].as_object().unwrap();
    let mut client_keys: Vec<&str> = clients.keys().map(String::as_str).collect();
    client_keys.sort_unstable();
    assert_eq!(client_keys, ["desktop", "mobile", "web"]);
    assert!(
        clients["web"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("Gmail (web)"))
    );
}

#[test]
fn malformed_html_never_panics() {
    let mut rng = fastrand::Rng::with_seed(7);
    let pieces = [
        "<",
        ">",
        "</",
        "style",
        "script",
        "=",
        "\"",
        "'",
        "\n",
        "{",
        "}",
        ";",
        ":",
        "position",
        "display:flex",
        "@font-face",
        "/*",
        "*/",
        "<!--",
        "-->",
        "é",
        "&amp;",
        "<svg",
        " ",
    ];
    for _ in 0..2000 {
        let html: String = (0..rng.usize(0..80))
            .map(|_| pieces[rng.usize(..pieces.len())])
            .collect();
        let analysis = html_analysis(Some(&html));
        let lines = u32::try_from(html.lines().count().max(1)).unwrap();
        for issue in analysis.errors {
            assert!(
                issue.error_line >= 1 && issue.error_line <= lines + 1,
                "{html:?}"
            );
        }
    }
}
