//! Links, one-time codes and unrendered placeholders, on realistic and nasty inputs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::type_complexity
)]

use mailtrap_sandbox::extract::{
    CodeFinder, Field, PlaceholderStyle, anchors_in_html, check_placeholders, html_to_text,
    links_in_html, links_in_text, one_time_code, placeholders_in, unrendered_placeholders,
};

// ---------------------------------------------------------------------------------------------
// Links in HTML
// ---------------------------------------------------------------------------------------------

/// A transactional template as an ESP would render it: tables, a button, tracking, a footer.
const RESET_HTML: &str = r#"<!DOCTYPE html>
<html><head><title>Reset</title>
<style>a.button { color: #fff } /* <a href="https://css.example.test/not-a-link"> */</style>
<script>var x = '<a href="https://script.example.test/nope">';</script></head>
<body>
<!-- <a href="https://comment.example.test/hidden">old</a> -->
<table role="presentation"><tr><td>
  <a class="button" href="https://app.example.test/reset?uid=81&amp;token=Zq%2F9+a%3D&amp;lang=pt-BR"
     >Reset&nbsp;password</a>
</td></tr></table>
<p>Or paste <A HREF='https://app.example.test/reset?uid=81&amp;token=Zq%2F9+a%3D&amp;lang=pt-BR'>this link</A>.</p>
<map name="m"><area shape="rect" coords="0,0,10,10" href="https://app.example.test/map" alt="Map"></map>
<a href="mailto:help@example.test?subject=Help%20me">help@example.test</a>
<a href="   ">blank</a><a>no href</a><a href="">empty</a>
<a href="https://app.example.test/u?x=1&#38;y=2&#x26;z=&lt;3&gt;">entities</a>
<a href="https://app.example.test/
wrapped/path">wrapped</a>
<a href="/relative/path">relative</a>
</body></html>"#;

#[test]
fn html_links_decode_entities_dedupe_and_skip_hidden_markup() {
    assert_eq!(
        links_in_html(RESET_HTML),
        [
            "https://app.example.test/reset?uid=81&token=Zq%2F9+a%3D&lang=pt-BR",
            "https://app.example.test/map",
            "mailto:help@example.test?subject=Help%20me",
            "https://app.example.test/u?x=1&y=2&z=<3>",
            "https://app.example.test/wrapped/path",
            "/relative/path",
        ]
    );
}

#[test]
fn anchors_carry_their_visible_text() {
    let anchors = anchors_in_html(RESET_HTML);
    let texts: Vec<(&str, &str)> = anchors
        .iter()
        .map(|a| (a.text.as_str(), a.href.as_str()))
        .collect();
    assert_eq!(
        texts[0],
        (
            "Reset password",
            "https://app.example.test/reset?uid=81&token=Zq%2F9+a%3D&lang=pt-BR"
        )
    );
    assert_eq!(texts[1].0, "this link");
    assert_eq!(texts[2], ("Map", "https://app.example.test/map"));
    // Duplicates stay in the anchor list (each may have its own text).
    assert_eq!(anchors.len(), 7);
}

#[test]
fn unclosed_and_nested_anchors_do_not_lose_links() {
    let html = r#"<a href="https://a.example.test/1">one <a href="https://a.example.test/2">two"#;
    let anchors = anchors_in_html(html);
    assert_eq!(anchors.len(), 2);
    assert_eq!(anchors[0].text, "one");
    assert_eq!(anchors[1].text, "two");
}

#[test]
fn broken_html_is_not_a_problem() {
    for html in [
        "",
        "<",
        "<a href=",
        "<a href=\"https://x.example.test",
        "<<<>>>&&&;;",
        "<a href='https://ok.example.test/ok'>ok</a><a href=\"",
        "\u{0}\u{1}<a\u{0} href=x>",
        "<a href=\"https://xn--bcher-kva.example/\u{fffd}\">bücher</a>",
    ] {
        let _ = links_in_html(html);
        let _ = anchors_in_html(html);
        let _ = html_to_text(html);
    }
    assert_eq!(
        links_in_html("<a href='https://ok.example.test/ok'>ok</a><a href=\""),
        ["https://ok.example.test/ok"]
    );
}

#[test]
fn unquoted_attribute_values_are_read() {
    assert_eq!(
        links_in_html("<a href=https://a.example.test/x?y=1>x</a>"),
        ["https://a.example.test/x?y=1"]
    );
}

// ---------------------------------------------------------------------------------------------
// Links in text
// ---------------------------------------------------------------------------------------------

#[test]
fn text_links_trim_punctuation_and_unbalanced_brackets() {
    let text = "Hello Ana,\n\
        Reset your password: https://app.example.test/reset?t=Zq%2F9+a%3D.\n\
        (Link not working? Try https://app.example.test/r/81.)\n\
        Docs: https://docs.example.test/wiki/Email_(disambiguation), FAQ at\n\
        <https://help.example.test/faq>; \"https://quoted.example.test/q\"!\n\
        Markdown: [click](https://md.example.test/path?a=1&b=2)\n\
        Shouting: HTTPS://UPPER.EXAMPLE.TEST/PATH!!!\n\
        Again: https://app.example.test/reset?t=Zq%2F9+a%3D\n\
        Not links: xhttps://glued.example.test ftp://files.example.test https:// http://\n";
    assert_eq!(
        links_in_text(text),
        [
            "https://app.example.test/reset?t=Zq%2F9+a%3D",
            "https://app.example.test/r/81",
            "https://docs.example.test/wiki/Email_(disambiguation)",
            "https://help.example.test/faq",
            "https://quoted.example.test/q",
            "https://md.example.test/path?a=1&b=2",
            "HTTPS://UPPER.EXAMPLE.TEST/PATH",
        ]
    );
}

#[test]
fn text_links_keep_ports_fragments_and_unicode() {
    let text =
        "Local: http://127.0.0.1:8025/view#msg-12, intl: https://bücher.example/straße?q=ü …";
    assert_eq!(
        links_in_text(text),
        [
            "http://127.0.0.1:8025/view#msg-12",
            "https://bücher.example/straße?q=ü"
        ]
    );
}

#[test]
fn text_without_links_gives_nothing() {
    assert!(links_in_text("").is_empty());
    assert!(links_in_text("no links here, just www.example.test and a@b.test").is_empty());
}

// ---------------------------------------------------------------------------------------------
// HTML to text
// ---------------------------------------------------------------------------------------------

#[test]
fn html_to_text_keeps_blocks_apart_and_drops_hidden_content() {
    let text = html_to_text(RESET_HTML);
    assert!(text.contains("Reset password"), "{text}");
    assert!(!text.contains("color"), "{text}");
    assert!(!text.contains("var x"), "{text}");
    assert!(!text.contains("old"), "{text}");
    let html = "<ul><li>one</li><li>two</li></ul><p>a<br/>b</p><div>  spaced   out  </div>";
    assert_eq!(html_to_text(html), "one\ntwo\na\nb\nspaced out");
}

// ---------------------------------------------------------------------------------------------
// One-time codes
// ---------------------------------------------------------------------------------------------

#[test]
fn codes_next_to_keywords_win() {
    let cases = [
        ("Your verification code is 481207.", "481207"),
        ("Your code: 4821", "4821"),
        ("PIN: 0042", "0042"),
        ("OTP 55201833 is valid for 5 minutes", "55201833"),
        ("Use 663391 to sign in to Example.", "663391"),
        ("Votre code de vérification : 220 918", "220918"),
        ("Your code is 123-456", "123456"),
        (
            "Security code\n\n   735 915   \n\nDo not share it.",
            "735915",
        ),
        ("Enter this one-time passcode: 9034 1177", "90341177"),
        ("Here it is (your 2FA code): 661234.", "661234"),
    ];
    for (text, code) in cases {
        assert_eq!(one_time_code(text).as_deref(), Some(code), "{text}");
    }
}

#[test]
fn years_prices_dates_phones_and_ids_are_not_codes() {
    let cases = [
        "© 2024 Example Inc. All rights reserved.",
        "Total: $1299, or €1 500 with shipping, or 1500 € in store, or ¥8800.",
        "Your order total is 12.50 and 1,000 points were added.",
        "Meeting on 2024-05-17 at 10:30, ref 17/05/2024.",
        "Call us at +1 555 0100, (555) 123-4567 or +4420794600.",
        "Card ending 4111 1111 1111 1111 was charged.",
        "See https://app.example.test/verify/123456 for details.",
        "Mail us at user123456@example.test or visit A1234B.",
        "Only 50% off, size 1234px, item 2nd, build v1234.",
        "Short numbers only: 12, 123, 7.",
        "",
    ];
    for text in cases {
        assert_eq!(one_time_code(text), None, "{text:?}");
    }
}

#[test]
fn the_code_beats_distractors_in_a_full_email() {
    let text = "Hi Ana,\n\
        Thanks for your order #40213 placed on 2024-11-05 (total $129.99).\n\
        To confirm it's you, enter the verification code below:\n\
        \n\
        902 114\n\
        \n\
        The code expires in 10 minutes. Questions? Call +1 (555) 010-0199.\n\
        © 2025 Example Inc, 1200 Market Street, Suite 400.";
    assert_eq!(one_time_code(text).as_deref(), Some("902114"));
}

#[test]
fn a_year_counts_only_right_after_a_keyword() {
    assert_eq!(one_time_code("Your PIN is 1987").as_deref(), Some("1987"));
    assert_eq!(one_time_code("Since 1987 we have sent codes"), None);
}

#[test]
fn without_keywords_a_number_alone_on_its_line_is_preferred() {
    let text = "Welcome back! Account 55512 was used.\n\n   739102   \n\nSee you.";
    assert_eq!(one_time_code(text).as_deref(), Some("739102"));
}

#[test]
fn length_range_and_extra_keywords_are_honoured() {
    let text = "Código: 8812. Reference 551234.";
    assert_eq!(
        CodeFinder::new().length(6..=6).find(text).as_deref(),
        Some("551234")
    );
    assert_eq!(
        CodeFinder::new().keyword("código").find(text).as_deref(),
        Some("8812")
    );
    assert_eq!(CodeFinder::new().length(9..=12).find(text), None);
}

#[test]
fn codes_in_html_are_found_through_the_text() {
    let html = "<table><tr><td>Your login code</td></tr><tr><td style=\"font-size:32px\">\
                <b>58</b><b>1123</b></td></tr><tr><td>&copy; 2025</td></tr></table>";
    // Inline tags do not separate text: the code reads "581123".
    assert_eq!(
        one_time_code(&html_to_text(html)).as_deref(),
        Some("581123")
    );
}

// ---------------------------------------------------------------------------------------------
// Placeholders
// ---------------------------------------------------------------------------------------------

#[test]
fn every_style_is_found_with_its_position() {
    let text = "Hi {{ user.first_name }},\n\
        {% if trial %}Your trial ends soon.{% endif %}\n\
        Token: ${token} / #{user.id} / <%= reset_url %>\n\
        *|FNAME|*, your plan is %PLAN_NAME%.\n\
        Printf leftovers: %s and %(count)d and {{{raw_html}}}.";
    let found = placeholders_in(Field::Text, text);
    let summary: Vec<(PlaceholderStyle, &str, &str, usize, usize)> = found
        .iter()
        .map(|p| (p.style, p.raw.as_str(), p.name.as_str(), p.line, p.column))
        .collect();
    assert_eq!(
        summary,
        [
            (
                PlaceholderStyle::DoubleBraces,
                "{{ user.first_name }}",
                "user.first_name",
                1,
                4
            ),
            (
                PlaceholderStyle::TemplateTag,
                "{% if trial %}",
                "if trial",
                2,
                1
            ),
            (PlaceholderStyle::TemplateTag, "{% endif %}", "endif", 2, 36),
            (PlaceholderStyle::DollarBraces, "${token}", "token", 3, 8),
            (PlaceholderStyle::HashBraces, "#{user.id}", "user.id", 3, 19),
            (
                PlaceholderStyle::AngleTag,
                "<%= reset_url %>",
                "reset_url",
                3,
                32
            ),
            (PlaceholderStyle::MergeTag, "*|FNAME|*", "FNAME", 4, 1),
            (PlaceholderStyle::Percent, "%PLAN_NAME%", "PLAN_NAME", 4, 25),
            (PlaceholderStyle::Printf, "%s", "%s", 5, 19),
            (PlaceholderStyle::Printf, "%(count)d", "count", 5, 26),
            (
                PlaceholderStyle::DoubleBraces,
                "{{{raw_html}}}",
                "raw_html",
                5,
                40
            ),
        ]
    );
}

#[test]
fn placeholders_in_html_attributes_and_encoded_urls_are_found() {
    let html = r#"<a href="https://app.example.test/reset?t={{token}}">Reset</a>
<a href="https://app.example.test/c?u=%7B%7B%20user_id%20%7D%7D">Confirm</a>
<img src="https://cdn.example.test/%24%7Blogo%7D.png" alt="">"#;
    let found = placeholders_in(Field::Html, html);
    let names: Vec<&str> = found.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["token", "user_id", "logo"]);
    assert_eq!(found[1].raw, "%7B%7B%20user_id%20%7D%7D");
    assert_eq!(found[2].style, PlaceholderStyle::DollarBraces);
}

#[test]
fn ordinary_text_css_and_urls_are_not_placeholders() {
    let clean = [
        "Save 20% today and 30% tomorrow: 100%!",
        "Width: <td width=\"100%\" style=\"width:50%;margin:0\">",
        "https://app.example.test/search?q=%E2%80%99quoted%E2%80%99&x=%ABCD%",
        "CSS: @media (max-width:600px){.a{color:red}} .b{margin:0}",
        "JSON: {\"a\": {\"b\": 1}}",
        "Set-based: {a, b} and {x}",
        "Email me at ana%test@example.test",
        "Empty braces {{}} and {{   }} and ${} are not names",
        "Unclosed {{ name and ${ token",
        "A line-broken {{ first\n_name }} is not one",
        "100%s and 5%d are percentages followed by letters",
    ];
    for text in clean {
        let found = placeholders_in(Field::Text, text);
        assert!(found.is_empty(), "{text:?} gave {found:?}");
    }
}

#[test]
fn check_placeholders_lists_everything_found() {
    assert!(check_placeholders(Some("Welcome"), Some("Hi Ana"), Some("<p>Hi Ana</p>")).is_ok());
    let err = check_placeholders(
        Some("Welcome {{name}}"),
        Some("Hi %FIRST_NAME%"),
        Some("<p>\n  <a href=\"https://x.example.test/?t=${token}\">go</a></p>"),
    )
    .unwrap_err();
    insta::assert_snapshot!(err.to_string(), @r"
    3 unrendered template placeholders found
      subject line 1, column 9: {{name}}
      text body line 1, column 4: %FIRST_NAME%
      HTML body line 2, column 38: ${token}
    ");
    assert_eq!(err.0.len(), 3);
}

#[test]
fn fields_are_reported_in_order() {
    let found = unrendered_placeholders(Some("{{a}}"), None, Some("{{c}}"));
    let fields: Vec<Field> = found.iter().map(|p| p.field).collect();
    assert_eq!(fields, [Field::Subject, Field::Html]);
}

#[test]
fn garbage_input_never_panics() {
    let inputs = [
        "{{".repeat(1000),
        "%".repeat(1000),
        "${".repeat(500) + &"}".repeat(500),
        "<%".repeat(300),
        "*|".repeat(300),
        "%7B%7B".repeat(100),
        "é{{é}}é%é%é".repeat(50),
        "\u{0}{{\u{0}}}".to_owned(),
    ];
    for input in inputs {
        let _ = placeholders_in(Field::Html, &input);
        let _ = one_time_code(&input);
        let _ = links_in_text(&input);
    }
}
