//! The sync pipeline on our own fixture description (`tests/fixtures/widgets.*.yml`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stderr
)]

use serde_json::{Value, json};
use xtask::sync::{self, overlay::Overlay};

const V1: &str = include_str!("fixtures/widgets.v1.yml");
const OVERLAY: &str = include_str!("fixtures/widgets.overlay.yaml");
const TWO_BODIES: &str = include_str!("fixtures/two-success-bodies.yml");

fn build(text: &str, overlay: &Overlay) -> sync::Built {
    sync::build(text, "widgets.v1.yml", overlay).expect("the fixture builds")
}

fn plain(text: &str) -> Value {
    build(text, &Overlay::default()).doc
}

fn at<'a>(doc: &'a Value, pointer: &str) -> &'a Value {
    doc.pointer(pointer)
        .unwrap_or_else(|| panic!("nothing at {pointer} in\n{doc:#}"))
}

const WIDGET: &str = "/components/schemas/Widget/properties";
const LIST: &str = "/paths/~1api~1widgets/get";

#[test]
fn the_result_is_openapi_3_0_3() {
    assert_eq!(at(&plain(V1), "/openapi"), "3.0.3");
}

#[test]
fn a_type_list_with_null_becomes_nullable() {
    assert_eq!(
        at(&plain(V1), &format!("{WIDGET}/color")),
        &json!({"type": "string", "nullable": true})
    );
}

#[test]
fn a_type_list_of_several_types_becomes_one_of() {
    let doc = plain(V1);
    // A union gets a name of its own, like any inline object.
    assert_eq!(
        at(&doc, &format!("{WIDGET}/weight")),
        &json!({"$ref": "#/components/schemas/WidgetWeight"})
    );
    assert_eq!(
        at(&doc, "/components/schemas/WidgetWeight"),
        &json!({"oneOf": [{"type": "number"}, {"type": "string"}]})
    );
}

#[test]
fn const_becomes_a_one_value_enum() {
    // Request side, where enumerations are kept.
    assert_eq!(
        at(&plain(V1), "/components/schemas/Combined/properties/c"),
        &json!({"enum": ["fixed"]})
    );
}

#[test]
fn a_ref_beside_nullable_becomes_all_of() {
    assert_eq!(
        at(&plain(V1), &format!("{WIDGET}/owner")),
        &json!({"nullable": true, "allOf": [{"$ref": "#/components/schemas/Owner"}]})
    );
}

#[test]
fn a_numeric_exclusive_minimum_becomes_the_3_0_form() {
    assert_eq!(
        at(&plain(V1), &format!("{WIDGET}/size")),
        &json!({"type": "integer", "exclusiveMinimum": true, "minimum": 0})
    );
}

#[test]
fn schema_examples_titles_descriptions_and_extensions_are_dropped() {
    let doc = plain(V1);
    let widget = at(&doc, "/components/schemas/Widget");
    for key in ["title", "description", "x-internal-id"] {
        assert!(widget.get(key).is_none(), "{key} survived: {widget}");
    }
    assert_eq!(
        at(&doc, &format!("{WIDGET}/name")),
        &json!({"type": "string"})
    );
    assert_eq!(
        at(&doc, "/info"),
        &json!({"title": "Widget API", "version": "1.4.0"})
    );
    assert_eq!(
        at(&doc, "/servers"),
        &json!([{"url": "https://widgets.example"}])
    );
    assert_eq!(
        at(&doc, "/components/securitySchemes/TokenAuth"),
        &json!({"type": "http", "scheme": "bearer"})
    );
    assert!(doc.get("tags").is_none());
}

#[test]
fn operations_keep_structure_only() {
    let doc = plain(V1);
    let list = at(&doc, LIST);
    for key in ["summary", "description", "tags", "x-code-snippets"] {
        assert!(list.get(key).is_none(), "{key} survived: {list}");
    }
    let media = at(list, "/responses/200/content/application~1json");
    assert!(media.get("examples").is_none());
}

#[test]
fn error_and_default_responses_are_removed() {
    let doc = plain(V1);
    let statuses: Vec<&String> = at(&doc, &format!("{LIST}/responses"))
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(statuses, ["200"]);
    let create = at(&doc, "/paths/~1api~1widgets/post/responses");
    assert!(create.get("422").is_none());
}

#[test]
fn query_parameters_get_real_types() {
    let doc = plain(V1);
    let params = at(&doc, &format!("{LIST}/parameters"));
    assert_eq!(
        params,
        &json!([
            {"name": "last_id", "in": "query", "schema": {"type": "integer", "format": "int64"}},
            {"name": "page", "in": "query", "schema": {"type": "integer", "format": "int64"}},
            {"name": "shelf_ids[]", "in": "query",
             "schema": {"type": "array", "items": {"type": "integer", "format": "int64"}},
             "style": "form", "explode": true}
        ])
    );
}

#[test]
fn path_parameters_are_inlined_64_bit_without_minimum() {
    let doc = plain(V1);
    assert_eq!(
        at(&doc, "/paths/~1api~1widgets~1{widget_id}/get/parameters"),
        &json!([{"name": "widget_id", "in": "path", "required": true,
                 "schema": {"type": "integer", "format": "int64"}}])
    );
}

#[test]
fn id_properties_are_64_bit() {
    let doc = plain(V1);
    for property in ["id", "shelf_id"] {
        assert_eq!(
            at(&doc, &format!("{WIDGET}/{property}")),
            &json!({"type": "integer", "format": "int64"})
        );
    }
}

#[test]
fn enumerations_are_opened_in_responses_only() {
    let doc = plain(V1);
    assert_eq!(
        at(&doc, &format!("{WIDGET}/status")),
        &json!({"type": "string", "x-extensible-enum": ["active", "retired"]})
    );
    assert_eq!(
        at(&doc, "/components/schemas/Combined/properties/b"),
        &json!({"type": "string", "enum": ["x", "y"]})
    );
}

#[test]
fn length_limits_are_dropped_and_bodies_required() {
    let doc = plain(V1);
    assert_eq!(
        at(
            &doc,
            "/components/schemas/CreateWidgetRequestWidget/properties/name"
        ),
        &json!({"type": "string"})
    );
    assert_eq!(
        at(&doc, "/paths/~1api~1widgets/post/requestBody/required"),
        &json!(true)
    );
}

#[test]
fn inline_objects_are_hoisted_with_predictable_names() {
    let doc = plain(V1);
    let reference = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
    assert_eq!(
        at(&doc, &format!("{WIDGET}/dimensions")),
        &reference("WidgetDimensions")
    );
    assert_eq!(
        at(&doc, &format!("{WIDGET}/tags/items")),
        &reference("WidgetTagsItem")
    );
    assert_eq!(
        at(
            &doc,
            "/paths/~1api~1widgets/post/requestBody/content/application~1json/schema"
        ),
        &reference("CreateWidgetRequest")
    );
    assert_eq!(
        at(
            &doc,
            "/components/schemas/CreateWidgetRequest/properties/widget"
        ),
        &reference("CreateWidgetRequestWidget")
    );
    assert_eq!(
        at(
            &doc,
            "/paths/~1api~1widgets~1{widget_id}/delete/responses/200/content/application~1json/schema"
        ),
        &reference("DeleteWidgetResponse")
    );
}

#[test]
fn all_of_of_plain_objects_is_merged_and_unused_schemas_dropped() {
    let doc = plain(V1);
    let combined = at(&doc, "/components/schemas/Combined");
    assert!(combined.get("allOf").is_none());
    assert_eq!(combined["required"], json!(["a"]));
    let names: Vec<&String> = combined["properties"].as_object().unwrap().keys().collect();
    assert_eq!(names, ["a", "b", "c"]);
    let schemas = at(&doc, "/components/schemas").as_object().unwrap();
    for gone in ["Base", "Extra", "Unused"] {
        assert!(!schemas.contains_key(gone), "{gone} should be gone");
    }
    let names: Vec<&String> = schemas.keys().collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "components are sorted");
}

#[test]
fn the_overlay_renames_aliases_corrects_adds_and_reports_what_did_not_apply() {
    let overlay = Overlay::parse(OVERLAY, "widgets.overlay.yaml").unwrap();
    let built = build(V1, &overlay);
    let doc = &built.doc;
    assert_eq!(
        at(doc, "/info"),
        &json!({"title": "Our Widget API", "version": "1.4.0", "description": "Our own words."})
    );
    assert_eq!(
        at(doc, &format!("{WIDGET}/dimensions")),
        &json!({"$ref": "#/components/schemas/Dimensions"})
    );
    assert!(
        doc.pointer("/components/schemas/WidgetDimensions")
            .is_none()
    );
    assert_eq!(
        at(doc, "/components/schemas/WidgetRequest/properties/widget"),
        &json!({"$ref": "#/components/schemas/WidgetFields"})
    );
    assert_eq!(
        at(
            doc,
            "/paths/~1api~1widgets~1{widget_id}/delete/responses/200/content/application~1json/schema"
        ),
        &json!({"$ref": "#/components/schemas/Owner"})
    );
    assert!(
        doc.pointer("/components/schemas/DeleteWidgetResponse")
            .is_none()
    );
    assert_eq!(
        at(doc, "/components/schemas/Widget/description"),
        "A widget."
    );
    assert_eq!(
        at(doc, &format!("{WIDGET}/name")),
        &json!({"type": "string", "description": "Its name."})
    );
    assert_eq!(
        at(doc, &format!("{WIDGET}/nickname")),
        &json!({"type": "string", "description": "Added by the overlay."})
    );
    assert_eq!(at(doc, &format!("{LIST}/summary")), "List widgets");
    assert_eq!(
        built.applied.problems,
        ["operations.noSuchOperation: upstream has no operation `noSuchOperation`"]
    );
    // The alias's target has a property upstream's delete response lacks: it is listed, as
    // an addition is.
    assert_eq!(
        built.applied.added,
        ["DeleteWidgetResponse (as Owner).email", "Widget.nickname"]
    );
}

#[test]
fn a_rename_onto_an_existing_schema_is_an_error() {
    let overlay = Overlay::parse("renames: {WidgetDimensions: Owner}", "test overlay").unwrap();
    let error = sync::build(V1, "widgets.v1.yml", &overlay).unwrap_err();
    assert!(
        format!("{error:#}").contains("a schema named `Owner` already exists"),
        "{error:#}"
    );
}

#[test]
fn an_unknown_overlay_section_is_an_error() {
    let error = Overlay::parse("schemes: {}", "test overlay").unwrap_err();
    assert!(
        format!("{error:#}").contains("not a valid overlay"),
        "{error:#}"
    );
}

#[test]
fn the_output_is_deterministic() {
    let overlay = Overlay::parse(OVERLAY, "widgets.overlay.yaml").unwrap();
    let file = sync::API_FILES[0];
    let first = xtask::yaml::render(&build(V1, &overlay).doc, &sync::header(&file)).unwrap();
    let second = xtask::yaml::render(&build(V1, &overlay).doc, &sync::header(&file)).unwrap();
    assert_eq!(first, second);
    insta::assert_snapshot!("widgets_with_overlay", first);
}

#[test]
fn more_than_one_success_body_type_is_refused_with_the_operation_named() {
    let error = sync::build(TWO_BODIES, "two-success-bodies.yml", &Overlay::default())
        .unwrap_err()
        .to_string();
    assert!(error.contains("POST /api/things (createThing)"), "{error}");
    assert!(error.contains("more than one success body type"), "{error}");
    assert!(error.contains("openapi/overlay/"), "{error}");
}

#[test]
fn openapi_3_1_constructs_without_a_3_0_form_are_refused() {
    let text = V1.replace(
        "        kind:\n          const: widget",
        "        kind:\n          prefixItems: []",
    );
    let error = sync::build(&text, "widgets.v1.yml", &Overlay::default()).unwrap_err();
    assert!(
        format!("{error:#}").contains("`prefixItems` has no OpenAPI 3.0.3 equivalent"),
        "{error:#}"
    );
}
