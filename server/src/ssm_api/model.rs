//! The published SSM Contacts and SSM Incidents service models (copied from `../shared/aws-models`,
//! checked against it by the conformance test), and the input checks AWS makes before an
//! operation runs: required members, types, enums, lengths, ranges and patterns. A failure names
//! the member, as AWS's ValidationException does.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::{Map, Value};

pub struct ServiceModel {
    shapes: Map<String, Value>,
    operations: Map<String, Value>,
    /// Compiled shape patterns; a pattern this engine cannot compile is not checked.
    patterns: HashMap<String, regex_lite::Regex>,
}

/// One member that fails its shape's rules, by its path in the request (`Plan.Stages[0].Targets`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberProblem {
    pub path: String,
    pub problem: String,
}

pub fn contacts() -> &'static ServiceModel {
    static MODEL: OnceLock<ServiceModel> = OnceLock::new();
    MODEL.get_or_init(|| ServiceModel::parse(include_str!("../../aws-models/ssm-contacts.json")))
}

pub fn incidents() -> &'static ServiceModel {
    static MODEL: OnceLock<ServiceModel> = OnceLock::new();
    MODEL.get_or_init(|| ServiceModel::parse(include_str!("../../aws-models/ssm-incidents.json")))
}

impl ServiceModel {
    /// Panics only if the embedded model is not the published JSON (caught by every test).
    fn parse(json: &str) -> Self {
        let model: Value = serde_json::from_str(json).expect("embedded service model is JSON");
        let shapes = model["shapes"].as_object().cloned().unwrap_or_default();
        let operations = model["operations"].as_object().cloned().unwrap_or_default();
        let patterns = shapes
            .iter()
            .filter_map(|(name, s)| {
                let re = regex_lite::Regex::new(s.get("pattern")?.as_str()?).ok()?;
                Some((name.clone(), re))
            })
            .collect();
        ServiceModel { shapes, operations, patterns }
    }

    pub fn has_operation(&self, name: &str) -> bool {
        self.operations.contains_key(name)
    }

    /// The operation whose `http` binding is `method path` (REST JSON services); a `{label}`
    /// segment of the model's URI matches any one segment.
    pub fn operation_at(&self, method: &str, path: &str) -> Option<&str> {
        let matches = |template: &str| {
            let (mut t, mut p) = (template.split('/'), path.split('/'));
            loop {
                match (t.next(), p.next()) {
                    (None, None) => return true,
                    (Some(a), Some(b)) if a == b || (a.starts_with('{') && !b.is_empty()) => {}
                    _ => return false,
                }
            }
        };
        self.operations.iter().find_map(|(name, op)| {
            let http = &op["http"];
            let uri = http["requestUri"].as_str().and_then(|u| u.split('?').next()).unwrap_or_default();
            (http["method"] == method && matches(uri)).then_some(name.as_str())
        })
    }

    pub fn input_shape(&self, operation: &str) -> Option<&str> {
        self.operations.get(operation)?["input"]["shape"].as_str()
    }

    /// Input members bound to the query string: (member, query key).
    pub fn query_members(&self, operation: &str) -> Vec<(String, String)> {
        let Some(shape) = self.input_shape(operation).and_then(|s| self.shapes.get(s)) else { return Vec::new() };
        shape["members"]
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(_, m)| m["location"] == "querystring")
            .map(|(name, m)| (name.clone(), m["locationName"].as_str().unwrap_or(name).to_owned()))
            .collect()
    }

    /// The success status code the model gives an operation (200 when it gives none).
    pub fn success_code(&self, operation: &str) -> u16 {
        self.operations
            .get(operation)
            .and_then(|op| op["http"]["responseCode"].as_u64())
            .and_then(|c| u16::try_from(c).ok())
            .unwrap_or(200)
    }

    /// Checks a request body against the operation's input shape; the first problem found.
    pub fn check_input(&self, operation: &str, input: &Value) -> Result<(), MemberProblem> {
        match self.input_shape(operation) {
            Some(shape) => self.check(shape, input, "", true),
            None => Ok(()),
        }
    }

    /// Checks a response against the operation's output shape: required members and their
    /// modelled types, enums and ranges (not patterns: ListPreviewRotationShifts returns the
    /// free-form member names it was given where the shared shape says ARN).
    pub fn check_output(&self, operation: &str, output: &Value) -> Result<(), MemberProblem> {
        match self.operations.get(operation).and_then(|op| op["output"]["shape"].as_str()) {
            Some(shape) => self.check(shape, output, "", false),
            None => Ok(()),
        }
    }

    /// Checks `value` against shape `name`; `path` names the value in messages. (Counts are far
    /// below 2^52, so comparing them as f64 with the model's bounds is exact.)
    #[allow(clippy::cast_precision_loss)]
    fn check(&self, name: &str, value: &Value, path: &str, patterns: bool) -> Result<(), MemberProblem> {
        let Some(shape) = self.shapes.get(name) else { return Ok(()) };
        let fail = |problem: String| Err(MemberProblem { path: path.to_owned(), problem });
        let num = |key: &str| shape.get(key).and_then(Value::as_f64);
        match shape["type"].as_str().unwrap_or_default() {
            "structure" => {
                let Some(object) = value.as_object() else { return fail("must be an object".into()) };
                for required in shape["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
                    if object.get(required).is_none_or(Value::is_null) {
                        return Err(MemberProblem { path: join(path, required), problem: "is required".into() });
                    }
                }
                let members = shape["members"].as_object();
                if shape.get("union").is_some_and(|u| u == true) {
                    let set = object.values().filter(|v| !v.is_null()).count();
                    if set != 1 {
                        return fail("must set exactly one member".into());
                    }
                }
                for (key, v) in object.iter().filter(|(_, v)| !v.is_null()) {
                    let Some(member) = members.and_then(|m| m.get(key)) else { continue };
                    self.check(member["shape"].as_str().unwrap_or_default(), v, &join(path, key), patterns)?;
                }
                Ok(())
            }
            "list" => {
                let Some(items) = value.as_array() else { return fail("must be a list".into()) };
                check_range(items.len() as f64, num("min"), num("max"), "items").or_else(fail)?;
                let member = shape["member"]["shape"].as_str().unwrap_or_default();
                for (i, item) in items.iter().enumerate() {
                    self.check(member, item, &format!("{path}[{i}]"), patterns)?;
                }
                Ok(())
            }
            "map" => {
                let Some(entries) = value.as_object() else { return fail("must be a map".into()) };
                check_range(entries.len() as f64, num("min"), num("max"), "entries").or_else(fail)?;
                let key_shape = shape["key"]["shape"].as_str().unwrap_or_default();
                let value_shape = shape["value"]["shape"].as_str().unwrap_or_default();
                for (k, v) in entries {
                    self.check(key_shape, &Value::String(k.clone()), &format!("{path}.key"), patterns)?;
                    self.check(value_shape, v, &format!("{path}.{k}"), patterns)?;
                }
                Ok(())
            }
            "string" => {
                let Some(s) = value.as_str() else { return fail("must be a string".into()) };
                if let Some(allowed) = shape["enum"].as_array()
                    && !allowed.iter().any(|a| a == s)
                {
                    let names: Vec<&str> = allowed.iter().filter_map(Value::as_str).collect();
                    return fail(format!("must be one of {}", names.join(", ")));
                }
                check_range(s.chars().count() as f64, num("min"), num("max"), "characters").or_else(fail)?;
                match self.patterns.get(name).filter(|_| patterns) {
                    Some(re) if !re.is_match(s) => fail(format!("must match the pattern {}", re.as_str())),
                    _ => Ok(()),
                }
            }
            "integer" | "long" => match value.as_i64() {
                Some(n) => check_range(n as f64, num("min"), num("max"), "").or_else(fail),
                None => fail("must be an integer".into()),
            },
            "boolean" if !value.is_boolean() => fail("must be true or false".into()),
            "timestamp" if !value.is_number() => fail("must be a timestamp in epoch seconds".into()),
            "double" | "float" if !value.is_number() => fail("must be a number".into()),
            _ => Ok(()),
        }
    }

    /// A shape's definition, for the conformance test.
    pub fn shape(&self, name: &str) -> Option<&Value> {
        self.shapes.get(name)
    }

    pub fn models_error(&self, operation: &str, error: &str) -> bool {
        self.operations
            .get(operation)
            .and_then(|op| op["errors"].as_array())
            .is_some_and(|errors| errors.iter().any(|e| e["shape"] == error))
    }

    pub fn operation_names(&self) -> impl Iterator<Item = &str> {
        self.operations.keys().map(String::as_str)
    }

    pub fn operation(&self, name: &str) -> Option<&Value> {
        self.operations.get(name)
    }
}

fn join(path: &str, member: &str) -> String {
    if path.is_empty() { member.to_owned() } else { format!("{path}.{member}") }
}

fn check_range(n: f64, min: Option<f64>, max: Option<f64>, unit: &str) -> Result<(), String> {
    let unit = if unit.is_empty() { String::new() } else { format!(" {unit}") };
    if let Some(min) = min
        && n < min
    {
        return Err(format!("must be at least {min}{unit}"));
    }
    if let Some(max) = max
        && n > max
    {
        return Err(format!("must be at most {max}{unit}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn names_the_missing_and_the_malformed_member() {
        let m = contacts();
        let ok = json!({"Alias": "tanaka", "Type": "PERSONAL", "Plan": {"Stages": []}});
        assert_eq!(m.check_input("CreateContact", &ok), Ok(()));
        let missing = m.check_input("CreateContact", &json!({"Alias": "tanaka", "Type": "PERSONAL"})).unwrap_err();
        assert_eq!(missing.path, "Plan");
        let bad_enum = m.check_input("CreateContact", &json!({"Alias": "a", "Type": "BOSS", "Plan": {}})).unwrap_err();
        assert_eq!(bad_enum.path, "Type");
        let bad_alias = m.check_input("CreateContact", &json!({"Alias": "Tanaka San", "Type": "PERSONAL", "Plan": {}}));
        assert_eq!(bad_alias.unwrap_err().path, "Alias");
        let deep = json!({"Alias": "a", "Type": "ESCALATION", "Plan": {"Stages": [{"Targets": []}]}});
        assert_eq!(m.check_input("CreateContact", &deep).unwrap_err().path, "Plan.Stages[0].DurationInMinutes");
    }

    #[test]
    fn finds_rest_operations_by_method_and_path() {
        let m = incidents();
        assert_eq!(m.operation_at("GET", "/getIncidentRecord"), Some("GetIncidentRecord"));
        assert_eq!(m.operation_at("POST", "/startIncident"), Some("StartIncident"));
        assert_eq!(m.success_code("CreateResponsePlan"), 201);
        assert_eq!(m.query_members("GetIncidentRecord"), vec![("arn".to_owned(), "arn".to_owned())]);
    }
}
