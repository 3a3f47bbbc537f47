//! The drift report, one upstream change at a time, on our own small description
//! (`fixtures/drift/notes.yml`, with `fixtures/drift/notes.overlay.yaml`).
//!
//! Each case edits the upstream fixture, builds it as `sync` would, and compares the result
//! with the build of the unedited fixture (the committed file). It checks whether `--check`
//! fails, whether the change is breaking, and what the report says; the text and JSON
//! reports are snapshots (`snapshots/drift_cases__<case>.snap`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stderr
)]

use serde_json::Value;
use xtask::drift::Report;
use xtask::sync::{self, overlay::Overlay};

const NOTES: &str = include_str!("fixtures/drift/notes.yml");
const OVERLAY: &str = include_str!("fixtures/drift/notes.overlay.yaml");

/// What `--check` does with a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// Passes: nothing changed for a client, and the overlay is sound.
    Passes,
    /// Fails, and nothing in the report is breaking.
    FailsNotBreaking,
    /// Fails, with at least one breaking change.
    FailsBreaking,
}

struct Case {
    name: &'static str,
    /// Replacements in the upstream fixture: each `from` must occur.
    edits: &'static [(&'static str, &'static str)],
    /// Lines the text report must contain.
    says: &'static [&'static str],
    verdict: Verdict,
    /// Appended to the overlay of both builds.
    overlay_extra: &'static str,
}

impl Case {
    const fn new(
        name: &'static str,
        edits: &'static [(&'static str, &'static str)],
        verdict: Verdict,
        says: &'static [&'static str],
    ) -> Self {
        Self {
            name,
            edits,
            says,
            verdict,
            overlay_extra: "",
        }
    }
}

fn edited(case: &Case) -> String {
    let mut text = NOTES.to_owned();
    for (from, to) in case.edits {
        assert!(
            text.contains(from),
            "{}: the fixture has no `{from}`",
            case.name
        );
        text = text.replace(from, to);
    }
    text
}

fn overlay(extra: &str) -> Overlay {
    let text = if extra.is_empty() {
        OVERLAY.to_owned()
    } else {
        merge_overlay_text(OVERLAY, extra)
    };
    Overlay::parse(&text, "notes.overlay.yaml").unwrap()
}

/// Adds `extra` (an overlay fragment) under the matching sections of `base`.
fn merge_overlay_text(base: &str, extra: &str) -> String {
    let mut base = xtask::yaml::parse(base, "base overlay").unwrap();
    let extra = xtask::yaml::parse(extra, "extra overlay").unwrap();
    merge(&mut base, &extra);
    serde_json::to_string(&base).unwrap()
}

fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(target), Value::Object(patch)) => {
            for (key, value) in patch {
                merge(target.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
        (target, patch) => *target = patch.clone(),
    }
}

fn report(case: &Case) -> Report {
    let overlay = overlay(case.overlay_extra);
    let committed = sync::build(NOTES, "notes.yml", &overlay)
        .expect("the fixture builds")
        .doc;
    let built = sync::build(&edited(case), "notes.yml", &overlay)
        .unwrap_or_else(|e| panic!("{}: the edited fixture does not build: {e:#}", case.name));
    Report {
        files: vec![sync::file_drift("openapi/notes.yaml", &committed, built)],
    }
}

fn check(case: &Case) {
    let report = report(case);
    let text = report.to_text();
    let verdict = match (report.has_drift(), report.breaking_count()) {
        (false, _) => Verdict::Passes,
        (true, 0) => Verdict::FailsNotBreaking,
        (true, _) => Verdict::FailsBreaking,
    };
    assert_eq!(verdict, case.verdict, "{}:\n{text}", case.name);
    for line in case.says {
        assert!(
            text.contains(line),
            "{}: the report does not say `{line}`:\n{text}",
            case.name
        );
    }
    let json = serde_json::to_string_pretty(&report).unwrap();
    insta::assert_snapshot!(case.name, format!("{text}\n{json}"));
}

/// The fixture's `/api/usage` path, the last one.
macro_rules! usage_path {
    () => {
        "  /api/usage:\n    get:\n      operationId: getUsage\n      responses:\n        '200':\n          description: Usage of the account.\n          content:\n            application/json:\n              schema:\n                type: object\n                properties:\n                  cycle:\n                    type: object\n                    properties:\n                      starts_at:\n                        type: string\n                        format: date-time\n                  notes:\n                    type: object\n                    properties:\n                      count:\n                        type: integer\n                      limit:\n                        type: integer\n"
    };
}

const SEARCH: &str =
    "        - name: search\n          in: query\n          schema:\n            type: string\n";
const NOTE_GET: &str = "      operationId: getNote\n";
const FIELDS_COLOR: &str = "                    color:\n                      type: string\n                      enum: [yellow, blue, green]\n";

#[test]
fn the_unedited_fixture_has_no_drift_and_a_sound_overlay() {
    let report = report(&Case::new("unedited", &[], Verdict::Passes, &[]));
    assert!(!report.has_drift(), "{}", report.to_text());
    assert_eq!(
        report.files[0].overlay.kept_only_by_overlay,
        ["Note.legacy_id"]
    );
}

#[test]
fn operations_added_removed_and_renamed() {
    let cases = [
        Case::new(
            "operation_added",
            &[(
                "  /api/usage:\n",
                "  /api/boards/{board_id}/pins:\n    get:\n      operationId: listPins\n      \
                 parameters:\n        - name: board_id\n          in: path\n          required: true\n          \
                 schema:\n            type: integer\n      responses:\n        '200':\n          \
                 description: The pins.\n  /api/usage:\n",
            )],
            Verdict::FailsNotBreaking,
            &["  + added   GET /api/boards/{board_id}/pins (listPins)"],
        ),
        Case::new(
            "operation_removed",
            &[(usage_path!(), "")],
            Verdict::FailsBreaking,
            &["  - removed GET /api/usage (getUsage)  [breaking]"],
        ),
        Case::new(
            "operation_id_renamed",
            &[(NOTE_GET, "      operationId: fetchNote\n")],
            Verdict::FailsBreaking,
            &["operationId: `getNote` -> `fetchNote`  [breaking: the generated method is renamed]"],
        ),
        Case::new(
            "path_changed_with_the_same_operation_id",
            &[("  /api/usage:\n", "  /api/account/usage:\n")],
            Verdict::FailsBreaking,
            &["path: `/api/usage` -> `/api/account/usage`  [breaking: clients call the old path]"],
        ),
        Case::new(
            "path_parameter_renamed",
            &[
                (
                    "  /api/boards/{board_id}/notes/{note_id}:",
                    "  /api/boards/{board_id}/notes/{id}:",
                ),
                ("        - name: note_id\n", "        - name: id\n"),
            ],
            Verdict::FailsNotBreaking,
            &[
                "path parameter `note_id`: renamed `id`  (the generated method takes it by position)",
            ],
        ),
        Case::new(
            "success_status_changed",
            &[(
                "        '200':\n          description: The new note.",
                "        '201':\n          description: The new note.",
            )],
            Verdict::FailsBreaking,
            &["success status: 200 -> 201  [breaking"],
        ),
    ];
    cases.iter().for_each(check);
}

#[test]
fn query_parameters() {
    let cases = [
        Case::new(
            "optional_query_parameter_added",
            &[(
                SEARCH,
                "        - name: search\n          in: query\n          schema:\n            type: string\n        \
                 - name: page\n          in: query\n          schema:\n            type: integer\n",
            )],
            Verdict::FailsNotBreaking,
            &["query parameter `page`: added, optional (integer(int64))  (an optional input)"],
        ),
        Case::new(
            "required_query_parameter_added",
            &[(
                SEARCH,
                "        - name: search\n          in: query\n          schema:\n            type: string\n        \
                 - name: sort\n          in: query\n          required: true\n          schema:\n            \
                 type: string\n",
            )],
            Verdict::FailsBreaking,
            &[
                "query parameter `sort`: added, required (string)  [breaking: clients do not send it]",
            ],
        ),
        Case::new(
            "query_parameter_retyped",
            &[(
                SEARCH,
                "        - name: search\n          in: query\n          schema:\n            type: boolean\n",
            )],
            Verdict::FailsBreaking,
            &["query parameter `search`: string -> boolean  [breaking"],
        ),
        Case::new(
            "query_parameter_enum_value_removed",
            &[("enum: [text, checklist]", "enum: [text]")],
            Verdict::FailsBreaking,
            &[
                "query parameter `kind`: enum values removed: `checklist`  [breaking: clients may send them]",
            ],
        ),
        Case::new(
            "query_parameter_enum_value_added",
            &[("enum: [text, checklist]", "enum: [text, checklist, sketch]")],
            Verdict::FailsNotBreaking,
            &["query parameter `kind`: enum values added: `sketch`  (more values are accepted)"],
        ),
    ];
    cases.iter().for_each(check);
}

#[test]
fn response_properties() {
    let cases = [
        Case::new(
            "response_property_removed",
            &[(
                "        body:\n          type: string\n        size_label:",
                "        size_label:",
            )],
            Verdict::FailsBreaking,
            &["response `body`: removed  [breaking: clients read it]"],
        ),
        Case::new(
            "response_property_added",
            &[(
                "        tags:\n          type: array",
                "        color:\n          type: string\n        tags:\n          type: array",
            )],
            Verdict::FailsNotBreaking,
            &["response `[].color`: added (string)  (clients ignore what they do not know)"],
        ),
        Case::new(
            "response_property_retyped",
            &[(
                "        title:\n          type: string\n        body:",
                "        title:\n          type: integer\n        body:",
            )],
            Verdict::FailsBreaking,
            &[
                "response `title`: string -> integer  [breaking: clients cannot decode every new value]",
            ],
        ),
        Case::new(
            "response_optional_property_made_nullable",
            &[(
                "        body:\n          type: string\n        size_label:",
                "        body:\n          type: [string, 'null']\n        size_label:",
            )],
            Verdict::FailsNotBreaking,
            &["response `body`: now nullable  (already optional: null reads as absent)"],
        ),
        Case::new(
            "response_required_property_made_nullable",
            &[(
                "        title:\n          type: string\n        body:",
                "        title:\n          type: string\n          nullable: true\n        body:",
            )],
            Verdict::FailsBreaking,
            &[
                "response `title`: now nullable  [breaking: clients expect a value and may get null]",
            ],
        ),
        Case::new(
            "response_property_no_longer_nullable",
            &[(
                "          format: date-time\n          nullable: true\n",
                "          format: date-time\n",
            )],
            Verdict::FailsNotBreaking,
            &["response `archived_at`: no longer nullable  (never null now)"],
        ),
        Case::new(
            "response_property_made_optional",
            &[("      required: [id, title]\n", "      required: [id]\n")],
            Verdict::FailsBreaking,
            &["response `title`: now optional  [breaking: clients expect it always]"],
        ),
        Case::new(
            "response_enum_value_added",
            &[(
                "enum: [draft, published]",
                "enum: [draft, published, archived]",
            )],
            Verdict::FailsNotBreaking,
            &[
                "response `state`: known values added: `archived`  (an open enumeration: clients accept any value)",
            ],
        ),
        Case::new(
            "response_enum_value_removed",
            &[("enum: [draft, published]", "enum: [draft]")],
            Verdict::FailsNotBreaking,
            &["response `state`: known values removed: `published`"],
        ),
    ];
    cases.iter().for_each(check);
}

/// The first variant of the fixture's `Note.review`, a union of two objects, and what
/// follows it.
const REVIEW_FIRST: &str =
    "                details:\n                  type: boolean\n            - type: object\n";

#[test]
fn response_unions_judged_as_a_whole() {
    let cases = [
        Case::new(
            // Upstream gives the first variant the second one's `details`: its place changes
            // type, yet every value still decodes as the second variant.
            "response_union_variants_merged",
            &[(
                REVIEW_FIRST,
                "                details:\n                  type: object\n                  properties:\n                    \
                 score:\n                      type: number\n            - type: object\n",
            )],
            Verdict::FailsNotBreaking,
            &[
                "response `review<object>.details`: boolean -> object  (every value still decodes as \
                 one of the variants clients know (`review` is a union))",
            ],
        ),
        Case::new(
            // A variant now carries a value no variant of the old union decodes.
            "response_union_variant_retyped",
            &[(
                REVIEW_FIRST,
                "                details:\n                  type: string\n            - type: object\n",
            )],
            Verdict::FailsBreaking,
            &["response `review<object>.details`: boolean -> string  [breaking"],
        ),
        Case::new(
            "response_union_variant_added",
            &[(
                "        review:\n          oneOf:\n",
                "        review:\n          oneOf:\n            - type: string\n",
            )],
            Verdict::FailsBreaking,
            &["response `review`: object -> object|string  [breaking"],
        ),
    ];
    cases.iter().for_each(check);
}

#[test]
fn request_properties() {
    let cases = [
        Case::new(
            "request_enum_value_removed",
            &[("enum: [yellow, blue, green]", "enum: [yellow, blue]")],
            Verdict::FailsBreaking,
            &[
                "request `note.color`: enum values removed: `green`  [breaking: clients may send them]",
            ],
        ),
        Case::new(
            "request_enum_value_added",
            &[(
                "enum: [yellow, blue, green]",
                "enum: [yellow, blue, green, pink]",
            )],
            Verdict::FailsNotBreaking,
            &["request `note.color`: enum values added: `pink`  (more values are accepted)"],
        ),
        Case::new(
            // The overlay adds `body` to this list: upstream's new name still counts.
            "request_property_made_required_beside_an_overlay_required_list",
            &[(
                "                  required: [title]\n",
                "                  required: [title, color]\n",
            )],
            Verdict::FailsBreaking,
            &[
                "request `note.color`: now required  [breaking: clients that omit it are refused]",
                "schemas.NoteFields.required: upstream changed what the overlay replaces: values added: `color`",
            ],
        ),
        Case::new(
            // No overlay entry touches this list.
            "request_property_made_required",
            &[(
                "              type: object\n              properties:\n                note:\n",
                "              type: object\n              required: [note]\n              properties:\n                note:\n",
            )],
            Verdict::FailsBreaking,
            &["request `note`: now required  [breaking: clients that omit it are refused]"],
        ),
        Case::new(
            "request_property_made_nullable",
            &[(
                "                    pinned:\n                      type: boolean\n",
                "                    pinned:\n                      type: [boolean, 'null']\n",
            )],
            Verdict::FailsNotBreaking,
            &["request `note.pinned`: now nullable  (null is accepted too)"],
        ),
        Case::new(
            "request_property_no_longer_nullable",
            &[(
                "                      type: [string, 'null']\n                      format: date-time\n",
                "                      type: string\n                      format: date-time\n",
            )],
            Verdict::FailsNotBreaking,
            &[
                "request `note.remind_at`: no longer nullable  (optional: clients omit it rather than send null)",
            ],
        ),
        Case::new(
            "request_union_variant_removed",
            &[(
                "                        - type: integer\n                        - type: string\n",
                "                        - type: integer\n",
            )],
            Verdict::FailsBreaking,
            &["request `note.size`: integer|string -> integer  [breaking"],
        ),
        Case::new(
            "request_union_variant_widened",
            &[(
                "                        - type: integer\n                        - type: string\n",
                "                        - type: number\n                        - type: string\n",
            )],
            Verdict::FailsNotBreaking,
            &["request `note.size`: integer|string -> number|string  (wider"],
        ),
        Case::new(
            "request_property_removed",
            &[(
                "                    pinned:\n                      type: boolean\n",
                "",
            )],
            Verdict::FailsBreaking,
            &[
                "request `note.pinned`: removed  [breaking: clients send it; the API no longer reads it]",
            ],
        ),
        Case::new(
            "request_optional_property_added",
            &[(
                FIELDS_COLOR,
                "                    color:\n                      type: string\n                      \
                 enum: [yellow, blue, green]\n                    due_on:\n                      type: string\n",
            )],
            Verdict::FailsNotBreaking,
            &["request `note.due_on`: added, optional (string)  (an optional input)"],
        ),
        Case::new(
            "request_property_retyped_wider",
            &[(
                "                    pinned:\n                      type: boolean\n",
                "                    pinned:\n                      type: [boolean, string]\n",
            )],
            Verdict::FailsNotBreaking,
            &[
                "request `note.pinned`: boolean -> boolean|string  (wider: what clients send is still accepted)",
            ],
        ),
    ];
    cases.iter().for_each(check);
}

#[test]
fn changes_that_change_nothing_pass() {
    let cases = [
        Case::new(
            "description_only",
            &[
                ("Upstream summary, dropped.", "A new summary upstream."),
                ("Request prose, dropped.", "Other words."),
                ("Prose that the sync drops.", "Other prose."),
                (
                    "          description: The notes.\n",
                    "          description: Every note.\n",
                ),
            ],
            Verdict::Passes,
            &["openapi/notes.yaml: 5 -> 5 operations; up to date"],
        ),
        Case::new(
            "syntax_only",
            &[
                (
                    "          type: string\n          format: date-time\n          nullable: true\n",
                    "          format: date-time\n          type: [string, 'null']\n",
                ),
                (
                    "enum: [text, checklist]",
                    "enum:\n              - \"text\"\n              - checklist",
                ),
                (
                    "        '200':\n          description: The note.",
                    "        \"200\":\n          description: The note.",
                ),
                (
                    "      required: [id, title]\n",
                    "      required:\n        - id\n        - \"title\"\n",
                ),
            ],
            Verdict::Passes,
            &["up to date"],
        ),
        Case::new(
            "order_only",
            &[
                // Two properties swapped.
                (
                    "        id:\n          type: integer\n        board_id:\n          type: integer\n        title:",
                    "        board_id:\n          type: integer\n        id:\n          type: integer\n        title:",
                ),
                // Two query parameters swapped.
                (
                    "        - name: last_id\n          in: query\n          schema:\n            type: integer\n        \
                     - name: search\n          in: query\n          schema:\n            type: string\n",
                    "        - name: search\n          in: query\n          schema:\n            type: string\n        \
                     - name: last_id\n          in: query\n          schema:\n            type: integer\n",
                ),
                // Two enum values swapped.
                ("enum: [yellow, blue, green]", "enum: [green, yellow, blue]"),
            ],
            Verdict::Passes,
            &["up to date"],
        ),
        Case::new(
            "paths_swapped",
            &[
                (usage_path!(), ""),
                ("paths:\n", concat!("paths:\n", usage_path!())),
            ],
            Verdict::Passes,
            &["up to date"],
        ),
        Case::new(
            "ref_instead_of_inline",
            &[
                (
                    "                  cycle:\n                    type: object\n                    properties:\n                      \
                     starts_at:\n                        type: string\n                        format: date-time\n",
                    "                  cycle:\n                    $ref: '#/components/schemas/Cycle'\n",
                ),
                (
                    "    Deleted:\n",
                    "    Cycle:\n      type: object\n      properties:\n        starts_at:\n          type: string\n          \
                     format: date-time\n    Deleted:\n",
                ),
            ],
            Verdict::Passes,
            &["up to date"],
        ),
    ];
    cases.iter().for_each(check);
}

#[test]
fn changes_outside_operations_are_shown_with_both_values() {
    check(&Case::new(
        "info_version_changed",
        &[("  version: 3.2.0\n", "  version: 3.3.0\n")],
        Verdict::FailsNotBreaking,
        &[
            "openapi/notes.yaml: 5 -> 5 operations; no operation changed (see below)",
            "      info.version: \"3.2.0\" -> \"3.3.0\"",
        ],
    ));
}

#[test]
fn the_overlay_cannot_hide_upstream() {
    let cases = [
        Case::new(
            // The overlay describes `size_label`; upstream drops it. Before, the description
            // kept an untyped `size_label` alive.
            "overlay_describes_a_removed_property",
            &[("        size_label:\n          type: string\n", "")],
            Verdict::FailsBreaking,
            &[
                "response `size_label`: removed  [breaking: clients read it]",
                "schemas.Note.properties.size_label: upstream has no property `size_label`",
            ],
        ),
        Case {
            // The overlay already describes `archive`, which upstream adds later. Before, the
            // description made an untyped `archive`, and upstream's addition read as a
            // breaking retype.
            overlay_extra: "schemas:\n  GetUsageResponse:\n    properties:\n      archive:\n        description: Archived notes.\n",
            ..Case::new(
                "upstream_adds_what_the_overlay_described_early",
                &[(
                    "                  notes:\n                    type: object\n",
                    "                  archive:\n                    type: object\n                    properties:\n                      \
                     count:\n                        type: integer\n                  notes:\n                    type: object\n",
                )],
                Verdict::FailsNotBreaking,
                &["response `archive`: added (object)  (clients ignore what they do not know)"],
            )
        },
        Case::new(
            "upstream_retypes_a_corrected_property",
            &[(
                "        score:\n          type: number\n",
                "        score:\n          type: string\n",
            )],
            Verdict::FailsNotBreaking,
            &[
                "  upstream changes under overlay corrections:",
                "      schemas.Note.properties.score.type: upstream changed what the overlay replaces: \"number\" -> \"string\"",
            ],
        ),
        Case::new(
            "upstream_gains_an_overlay_addition",
            &[(
                "        tags:\n          type: array",
                "        legacy_id:\n          type: integer\n        tags:\n          type: array",
            )],
            Verdict::FailsNotBreaking,
            &["additions.Note.properties.legacy_id: upstream now has this property"],
        ),
        Case::new(
            "upstream_changes_an_aliased_schema",
            &[(
                "                properties:\n                  id:\n                    type: integer\n  /api/usage:",
                "                properties:\n                  id:\n                    type: integer\n                  \
                 deleted_at:\n                    type: string\n  /api/usage:",
            )],
            Verdict::FailsNotBreaking,
            &[
                "      schemas.DeleteNoteResponse: upstream changed what the overlay replaces:",
                "          properties.deleted_at: absent -> {\"type\":\"string\"}",
                // The alias would hide the new property from clients.
                "aliases.DeleteNoteResponse: `Deleted` lacks what upstream's `DeleteNoteResponse` \
                 describes: `deleted_at`",
            ],
        ),
        Case::new(
            // The alias's target gains a property that upstream's replaced schema lacks: the
            // aliased response now has it only because of the overlay.
            "an_alias_target_gains_a_property",
            &[(
                "    Deleted:\n      type: object\n      properties:\n        id:\n          type: integer\n",
                "    Deleted:\n      type: object\n      properties:\n        id:\n          type: integer\n        \
                 purged:\n          type: boolean\n",
            )],
            Verdict::FailsNotBreaking,
            &[
                "response `purged`: added (boolean)  (clients ignore what they do not know)",
                "kept only by the overlay (upstream does not describe them): DeleteNoteResponse (as \
                 Deleted).purged",
            ],
        ),
        Case::new(
            "upstream_now_has_a_correction",
            &[(
                "        email:\n          type: string\n",
                "        email:\n          type: string\n          format: email\n",
            )],
            Verdict::FailsNotBreaking,
            &[
                "schemas.Author.properties.email.format: upstream already says \"email\"; drop the correction",
            ],
        ),
        Case::new(
            "a_corrected_schema_falls_out_of_use",
            &[(
                "        author:\n          $ref: '#/components/schemas/Author'\n",
                "        author:\n          type: object\n          properties:\n            name:\n              type: string\n            \
                 email:\n              type: string\n",
            )],
            // The correction (`format: email`) no longer reaches the response.
            Verdict::FailsBreaking,
            &[
                "schemas.Author: no operation uses schema `Author` any more",
                "response `author.email`: string(email) -> string  [breaking",
            ],
        ),
    ];
    cases.iter().for_each(check);
}

#[test]
fn an_overlay_entry_for_what_upstream_lacks_creates_nothing() {
    let overlay = overlay(
        "schemas:\n  GetUsageResponse:\n    properties:\n      archive:\n        description: Archived notes.\n",
    );
    let built = sync::build(NOTES, "notes.yml", &overlay).unwrap();
    assert!(
        built
            .doc
            .pointer("/components/schemas/GetUsageResponse/properties/archive")
            .is_none(),
        "the overlay invented `archive`"
    );
    assert_eq!(
        built.applied.problems,
        [
            "schemas.GetUsageResponse.properties.archive: upstream has no property `archive` (to \
          describe one it lacks, use `additions`)"
        ]
    );
}

#[test]
fn every_record_of_the_fixture_names_what_upstream_said() {
    let built = sync::build(NOTES, "notes.yml", &overlay("")).unwrap();
    let record = built.doc.get("x-overlay").unwrap();
    assert_eq!(
        record.pointer("/upstream-values/schemas.Note.properties.score.type"),
        Some(&Value::String("number".to_owned()))
    );
    let lacks: Vec<&str> = record["upstream-lacks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        lacks.contains(&"schemas.Author.properties.email.format"),
        "{lacks:?}"
    );
    assert!(
        lacks.contains(&"schemas.Note.properties.legacy_id"),
        "{lacks:?}"
    );
    // The alias's source is gone from the document; its record spells it out.
    assert_eq!(
        record.pointer("/upstream-values/schemas.DeleteNoteResponse/properties/id/type"),
        Some(&Value::String("integer".to_owned()))
    );
}

/// A document with one operation answering `schema`.
fn answering(schema: &Value) -> Value {
    serde_json::json!({
        "openapi": "3.0.3",
        "paths": {"/api/review": {"get": {
            "operationId": "getReview",
            "responses": {"200": {
                "description": "The review.",
                "content": {"application/json": {"schema": schema}}
            }}
        }}}
    })
}

#[test]
fn a_union_that_still_fits_keeps_its_own_presence_verdict() {
    let plain =
        serde_json::json!({"type": "object", "properties": {"passed": {"type": "boolean"}}});
    let detailed = serde_json::json!({"type": "object", "properties": {
        "passed": {"type": "boolean"},
        "details": {"type": "object", "properties": {"score": {"type": "number"}}}
    }});
    let flagged = serde_json::json!({"type": "object", "properties": {
        "passed": {"type": "boolean"},
        "details": {"type": "boolean"}
    }});
    let body = |required: bool, variants: Vec<Value>| {
        let names: Vec<&str> = if required { vec!["review"] } else { vec![] };
        answering(&serde_json::json!({
            "type": "object",
            "required": names,
            "properties": {"review": {"oneOf": variants}}
        }))
    };
    // The variants merge (fine) and the union stops being always present (breaking).
    let before = body(true, vec![flagged, detailed.clone()]);
    let after = body(false, vec![detailed.clone(), detailed]);
    let drift = xtask::drift::compare("openapi/review.yaml", &before, &after);
    let details = &drift.changes[0].details;
    let optional = details.iter().find(|d| d.change == "now optional").unwrap();
    assert!(optional.breaking, "{details:?}");
    let retyped = details
        .iter()
        .find(|d| d.change == "boolean -> object")
        .unwrap();
    assert!(!retyped.breaking, "{details:?}");
    // A plain variant that is not decoded by any old one stays breaking.
    let after = body(
        true,
        vec![plain.clone(), serde_json::json!({"type": "string"})],
    );
    let before = body(true, vec![plain]);
    let drift = xtask::drift::compare("openapi/review.yaml", &before, &after);
    assert!(drift.changes[0].breaking, "{:?}", drift.changes);
}
