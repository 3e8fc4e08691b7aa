//! The condition builder: tests a manager picks in a form (a field, an operator, a value, each
//! negatable, all or any of them, and a typed time window), written as the CEL the server
//! evaluates, and read back from CEL whenever the expression has the builder's shape. CEL stays
//! the one stored form, so the builder can never disagree with what routing runs; an expression
//! the builder cannot show is kept and edited as CEL.

use serde::{Deserialize, Serialize};

use crate::domain::hours::Hours;
use crate::i18n::Msg;

/// How a test compares the field with its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    Equals,
    /// The value is a comma-separated list.
    OneOf,
    Contains,
    StartsWith,
    /// `*` any run of characters, `?` one character.
    Wildcard,
    Greater,
    AtLeast,
    Less,
    AtMost,
    /// The field is present (the value is unused).
    Exists,
}

impl Op {
    pub const ALL: [Op; 10] = [
        Op::Equals,
        Op::OneOf,
        Op::Contains,
        Op::StartsWith,
        Op::Wildcard,
        Op::Greater,
        Op::AtLeast,
        Op::Less,
        Op::AtMost,
        Op::Exists,
    ];

    /// The word a form posts.
    pub fn word(self) -> &'static str {
        match self {
            Op::Equals => "equals",
            Op::OneOf => "one_of",
            Op::Contains => "contains",
            Op::StartsWith => "starts_with",
            Op::Wildcard => "wildcard",
            Op::Greater => "gt",
            Op::AtLeast => "ge",
            Op::Less => "lt",
            Op::AtMost => "le",
            Op::Exists => "exists",
        }
    }

    pub fn parse(word: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|o| o.word() == word)
    }

    pub fn label(self) -> Msg {
        match self {
            Op::Equals => Msg::OpEquals,
            Op::OneOf => Msg::OpOneOf,
            Op::Contains => Msg::OpContains,
            Op::StartsWith => Msg::OpStartsWith,
            Op::Wildcard => Msg::OpWildcard,
            Op::Greater => Msg::OpGreater,
            Op::AtLeast => Msg::OpAtLeast,
            Op::Less => Msg::OpLess,
            Op::AtMost => Msg::OpAtMost,
            Op::Exists => Msg::OpExists,
        }
    }

    fn comparison(self) -> Option<&'static str> {
        match self {
            Op::Greater => Some(">"),
            Op::AtLeast => Some(">="),
            Op::Less => Some("<"),
            Op::AtMost => Some("<="),
            _ => None,
        }
    }
}

/// One test of a field of `alert` or `payload` (a dotted path such as `alert.labels.team` or
/// `payload.detail.state.value`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Test {
    pub field: String,
    pub op: Op,
    pub value: String,
    pub negate: bool,
}

/// When a condition holds, in working-hours terms (`Mon-Fri 09:00-18:00 Asia/Tokyo`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Window {
    Within(String),
    Outside(String),
}

/// What the builder shows: all (or any) of the tests, and then the time window.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    pub any: bool,
    pub tests: Vec<Test>,
    pub window: Option<Window>,
}

/// A builder field's problem: which test (or the window) and what.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    Field(usize),
    Value(usize),
    Window,
}

impl Condition {
    /// Every problem of the tests and window, as the form shows them.
    pub fn check(&self) -> Vec<(Problem, Msg)> {
        let mut problems = Vec::new();
        for (i, t) in self.tests.iter().enumerate() {
            if path_segments(&t.field).is_none() {
                problems.push((Problem::Field(i), Msg::ErrConditionField));
            }
            let bad_value = match t.op {
                Op::Exists => false,
                Op::Greater | Op::AtLeast | Op::Less | Op::AtMost => number(&t.value).is_none(),
                Op::OneOf => list(&t.value).is_empty(),
                _ => t.value.is_empty(),
            };
            if bad_value {
                problems.push((Problem::Value(i), Msg::ErrConditionValue));
            }
        }
        if let Some(Window::Within(spec) | Window::Outside(spec)) = &self.window
            && Hours::parse(spec).is_err()
        {
            problems.push((Problem::Window, Msg::ErrHours));
        }
        problems
    }

    /// The CEL for these tests (empty for none: the condition that matches every alert).
    /// Call on a condition without [`Condition::check`] problems.
    pub fn to_cel(&self) -> String {
        let joiner = if self.any { " || " } else { " && " };
        let tests: Vec<String> = self.tests.iter().map(test_cel).collect();
        let mut joined = tests.join(joiner);
        let window = self.window.as_ref().map(|w| match w {
            Window::Within(spec) => format!("in_hours({})", quote(spec)),
            Window::Outside(spec) => format!("!in_hours({})", quote(spec)),
        });
        if let Some(window) = window {
            if self.any && tests.len() > 1 {
                joined = format!("({joined})");
            }
            joined = if joined.is_empty() { window } else { format!("{joined} && {window}") };
        }
        joined
    }

    /// The builder's view of `cel`, when it has the shape [`Condition::to_cel`] writes (spaces
    /// and quotes aside); `None` for any other expression, which stays CEL only.
    pub fn from_cel(cel: &str) -> Option<Condition> {
        if cel.trim().is_empty() {
            return Some(Condition::default());
        }
        let tokens = tokenize(cel)?;
        let mut p = Parser { tokens, at: 0 };
        let tree = p.or()?;
        if p.at != p.tokens.len() {
            return None;
        }
        condition_of(tree)
    }
}

/// Whether `text` matches `pattern`, where `*` stands for any run of characters and `?` for
/// one (the builder's "matches"; the server gives it to CEL as `wildcard(text, pattern)`).
pub fn wildcard_match(text: &str, pattern: &str) -> bool {
    let (t, p): (Vec<char>, Vec<char>) = (text.chars().collect(), pattern.chars().collect());
    // matched[j]: the text so far matches the first j pattern characters.
    let mut matched = vec![false; p.len() + 1];
    matched[0] = true;
    for j in 1..=p.len() {
        matched[j] = matched[j - 1] && p[j - 1] == '*';
    }
    for c in t {
        let mut next = vec![false; p.len() + 1];
        for j in 1..=p.len() {
            next[j] = match p[j - 1] {
                '*' => next[j - 1] || matched[j],
                '?' => matched[j - 1],
                literal => matched[j - 1] && literal == c,
            };
        }
        matched = next;
    }
    matched[p.len()]
}

fn test_cel(t: &Test) -> String {
    let path = path_cel(&t.field);
    let plain = match t.op {
        Op::Equals => format!("{path} == {}", quote(&t.value)),
        Op::OneOf => {
            let items: Vec<String> = list(&t.value).iter().map(|v| quote(v)).collect();
            format!("{path} in [{}]", items.join(", "))
        }
        Op::Contains => format!("{path}.contains({})", quote(&t.value)),
        Op::StartsWith => format!("{path}.startsWith({})", quote(&t.value)),
        Op::Wildcard => format!("wildcard({path}, {})", quote(&t.value)),
        Op::Exists => exists_cel(&t.field),
        op => {
            let n = number(&t.value).unwrap_or_default();
            format!("double({path}) {} {}", op.comparison().unwrap_or("=="), number_cel(n))
        }
    };
    if t.negate { format!("!({plain})") } else { plain }
}

/// The segments of a dotted path under `alert` or `payload`: `payload.detail.state.value`.
fn path_segments(field: &str) -> Option<Vec<&str>> {
    let segments: Vec<&str> = field.trim().split('.').collect();
    let rooted = matches!(segments.first(), Some(&("alert" | "payload")));
    (rooted && segments.len() > 1 && segments.iter().all(|s| !s.is_empty() && s.trim() == *s)).then_some(segments)
}

fn identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !matches!(s, "in" | "true" | "false" | "null")
}

/// `has(alert.labels.team)`, or `"team-name" in alert.labels` for a key `has()` cannot name.
fn exists_cel(field: &str) -> String {
    let field = field.trim();
    match field.rsplit_once('.') {
        Some((parent, key)) if !identifier(key) => format!("{} in {}", quote(key), path_cel(parent)),
        _ => format!("has({})", path_cel(field)),
    }
}

/// `alert.labels["team-name"]`: dots for names, brackets for anything else.
fn path_cel(field: &str) -> String {
    let mut out = String::new();
    for (i, s) in field.trim().split('.').enumerate() {
        if i == 0 {
            out.push_str(s);
        } else if identifier(s) {
            out.push('.');
            out.push_str(s);
        } else {
            out.push('[');
            out.push_str(&quote(s));
            out.push(']');
        }
    }
    out
}

fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn list(value: &str) -> Vec<String> {
    value.split(',').map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned).collect()
}

fn number(value: &str) -> Option<f64> {
    value.trim().parse::<f64>().ok().filter(|n| n.is_finite())
}

/// A CEL double literal (always with a point, so `90` does not become an int).
fn number_cel(n: f64) -> String {
    let s = format!("{n}");
    if s.contains('.') || s.contains('e') { s } else { format!("{s}.0") }
}

/// How a number is shown back in the value box.
fn number_text(n: f64) -> String {
    format!("{n}")
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Name(String),
    Str(String),
    Num(f64),
    Sym(&'static str),
}

fn tokenize(s: &str) -> Option<Vec<Token>> {
    const SYMBOLS: [&str; 14] = ["&&", "||", "==", ">=", "<=", "!", ">", "<", "(", ")", "[", "]", ",", "."];
    let chars: Vec<char> = s.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '"' || c == '\'' {
            let mut text = String::new();
            i += 1;
            loop {
                match *chars.get(i)? {
                    q if q == c => break,
                    '\\' => {
                        text.push(match *chars.get(i + 1)? {
                            'n' => '\n',
                            't' => '\t',
                            'r' => '\r',
                            other @ ('"' | '\'' | '\\' | '`' | '?') => other,
                            _ => return None,
                        });
                        i += 2;
                    }
                    other => {
                        text.push(other);
                        i += 1;
                    }
                }
            }
            i += 1;
            tokens.push(Token::Str(text));
        } else if c.is_ascii_digit() || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            let start = i;
            i += 1;
            // Digits, letters and points; a sign only right after an exponent's `e`.
            let part = |i: usize| match chars.get(i) {
                Some('+' | '-') => matches!(chars[i - 1], 'e' | 'E'),
                Some(c) => c.is_ascii_alphanumeric() || *c == '.',
                None => false,
            };
            while part(i) {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            tokens.push(Token::Num(text.parse().ok()?));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while chars.get(i).is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_') {
                i += 1;
            }
            tokens.push(Token::Name(chars[start..i].iter().collect()));
        } else {
            let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
            let symbol = SYMBOLS.into_iter().find(|sym| rest.starts_with(sym))?;
            i += symbol.chars().count();
            tokens.push(Token::Sym(symbol));
        }
    }
    Some(tokens)
}

/// The expression as parsed: only what the builder writes.
enum Tree {
    Or(Vec<Tree>),
    And(Vec<Tree>),
    Not(Box<Tree>),
    Test(Test),
    Window(String),
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn eat(&mut self, sym: &str) -> bool {
        let hit = matches!(self.peek(), Some(Token::Sym(s)) if *s == sym);
        if hit {
            self.at += 1;
        }
        hit
    }

    fn expect(&mut self, sym: &str) -> Option<()> {
        self.eat(sym).then_some(())
    }

    fn name(&mut self) -> Option<String> {
        match self.tokens.get(self.at)? {
            Token::Name(n) => {
                let n = n.clone();
                self.at += 1;
                Some(n)
            }
            _ => None,
        }
    }

    fn string(&mut self) -> Option<String> {
        match self.tokens.get(self.at)? {
            Token::Str(s) => {
                let s = s.clone();
                self.at += 1;
                Some(s)
            }
            _ => None,
        }
    }

    fn or(&mut self) -> Option<Tree> {
        let mut items = vec![self.and()?];
        while self.eat("||") {
            items.push(self.and()?);
        }
        Some(if items.len() == 1 { items.remove(0) } else { Tree::Or(items) })
    }

    fn and(&mut self) -> Option<Tree> {
        let mut items = vec![self.unary()?];
        while self.eat("&&") {
            items.push(self.unary()?);
        }
        Some(if items.len() == 1 { items.remove(0) } else { Tree::And(items) })
    }

    fn unary(&mut self) -> Option<Tree> {
        if self.eat("!") {
            return Some(Tree::Not(Box::new(self.unary()?)));
        }
        if self.eat("(") {
            let inner = self.or()?;
            self.expect(")")?;
            return Some(inner);
        }
        self.atom()
    }

    /// One test or the window, in the forms [`test_cel`] writes.
    fn atom(&mut self) -> Option<Tree> {
        let test = |field: String, op: Op, value: String| Some(Tree::Test(Test { field, op, value, negate: false }));
        if let Some(Token::Str(key)) = self.peek().cloned() {
            // `"team-name" in alert.labels`: the key exists.
            self.at += 1;
            if self.name()? != "in" {
                return None;
            }
            let field = format!("{}.{key}", self.segments()?);
            return path_segments(&field).is_some().then_some(()).and_then(|()| test(field, Op::Exists, String::new()));
        }
        let word = self.name()?;
        match word.as_str() {
            "in_hours" => {
                self.expect("(")?;
                let spec = self.string()?;
                self.expect(")")?;
                Some(Tree::Window(spec))
            }
            "has" => {
                self.expect("(")?;
                let path = self.path()?;
                self.expect(")")?;
                test(path, Op::Exists, String::new())
            }
            "wildcard" => {
                self.expect("(")?;
                let path = self.path()?;
                self.expect(",")?;
                let pattern = self.string()?;
                self.expect(")")?;
                test(path, Op::Wildcard, pattern)
            }
            "double" => {
                self.expect("(")?;
                let path = self.path()?;
                self.expect(")")?;
                let op = [(">=", Op::AtLeast), ("<=", Op::AtMost), (">", Op::Greater), ("<", Op::Less)]
                    .into_iter()
                    .find(|(sym, _)| self.eat(sym))?
                    .1;
                let Token::Num(n) = *self.tokens.get(self.at)? else { return None };
                self.at += 1;
                test(path, op, number_text(n))
            }
            "alert" | "payload" => {
                self.at -= 1;
                let path = self.path()?;
                if self.eat("==") {
                    return test(path, Op::Equals, self.string()?);
                }
                if self.eat(".") {
                    let op = match self.name()?.as_str() {
                        "contains" => Op::Contains,
                        "startsWith" => Op::StartsWith,
                        _ => return None,
                    };
                    self.expect("(")?;
                    let value = self.string()?;
                    self.expect(")")?;
                    return test(path, op, value);
                }
                if self.name()? != "in" {
                    return None;
                }
                self.expect("[")?;
                let mut items = vec![self.string()?];
                while self.eat(",") {
                    items.push(self.string()?);
                }
                self.expect("]")?;
                if items.iter().any(|i| i.contains(',') || i.trim() != i || i.is_empty()) {
                    return None;
                }
                test(path, Op::OneOf, items.join(", "))
            }
            _ => None,
        }
    }

    /// A field: `alert.labels["x"].y` as the dotted `alert.labels.x.y`; stops before a method.
    fn path(&mut self) -> Option<String> {
        let field = self.segments()?;
        path_segments(&field).is_some().then_some(field)
    }

    /// The dotted segments from `alert` or `payload` (the root alone too: a map to look in).
    fn segments(&mut self) -> Option<String> {
        let root = self.name()?;
        if root != "alert" && root != "payload" {
            return None;
        }
        let mut field = root;
        loop {
            if matches!(self.peek(), Some(Token::Sym("."))) {
                let method = matches!(self.tokens.get(self.at + 2), Some(Token::Sym("(")));
                if method {
                    break;
                }
                self.at += 1;
                field.push('.');
                field.push_str(&self.name()?);
            } else if self.eat("[") {
                let key = self.string()?;
                self.expect("]")?;
                if key.is_empty() || key.contains('.') {
                    return None;
                }
                field.push('.');
                field.push_str(&key);
            } else {
                break;
            }
        }
        Some(field)
    }
}

/// A test or a negated test.
fn test_of(tree: Tree) -> Option<Test> {
    match tree {
        Tree::Test(t) => Some(t),
        Tree::Not(inner) => match *inner {
            Tree::Test(t) => Some(Test { negate: true, ..t }),
            _ => None,
        },
        _ => None,
    }
}

fn window_of(tree: &Tree) -> Option<Window> {
    match tree {
        Tree::Window(spec) => Some(Window::Within(spec.clone())),
        Tree::Not(inner) => match inner.as_ref() {
            Tree::Window(spec) => Some(Window::Outside(spec.clone())),
            _ => None,
        },
        _ => None,
    }
}

fn tests_of(trees: Vec<Tree>) -> Option<Vec<Test>> {
    trees.into_iter().map(test_of).collect()
}

fn condition_of(tree: Tree) -> Option<Condition> {
    if let Some(window) = window_of(&tree) {
        return Some(Condition { any: false, tests: vec![], window: Some(window) });
    }
    match tree {
        Tree::Or(items) => Some(Condition { any: true, tests: tests_of(items)?, window: None }),
        Tree::And(mut items) => {
            let window = items.last().and_then(window_of);
            if window.is_some() {
                items.pop();
                if let [Tree::Or(_)] = items.as_slice()
                    && let Some(Tree::Or(any)) = items.pop()
                {
                    return Some(Condition { any: true, tests: tests_of(any)?, window });
                }
            }
            Some(Condition { any: false, tests: tests_of(items)?, window })
        }
        single => Some(Condition { any: false, tests: vec![test_of(single)?], window: None }),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn t(field: &str, op: Op, value: &str) -> Test {
        Test { field: field.into(), op, value: value.into(), negate: false }
    }

    #[test]
    fn the_builder_writes_plain_cel() {
        let c = Condition {
            any: false,
            tests: vec![
                t("alert.severity", Op::Equals, "critical"),
                Test { negate: true, ..t("alert.labels.env", Op::OneOf, "dev, staging") },
                t("alert.labels.team-name", Op::Exists, ""),
                t("payload.detail.state.reasonData.recentDatapoints", Op::AtLeast, "90"),
            ],
            window: Some(Window::Outside("Mon-Fri 09:00-18:00 Asia/Tokyo".into())),
        };
        assert_eq!(
            c.to_cel(),
            "alert.severity == \"critical\" && !(alert.labels.env in [\"dev\", \"staging\"]) && \
             \"team-name\" in alert.labels && double(payload.detail.state.reasonData.recentDatapoints) >= 90.0 && \
             !in_hours(\"Mon-Fri 09:00-18:00 Asia/Tokyo\")"
        );
        assert_eq!(Condition::from_cel(&c.to_cel()), Some(c));
        let any = Condition {
            any: true,
            tests: vec![t("alert.title", Op::Wildcard, "Api*"), t("alert.summary", Op::Contains, "5xx")],
            window: Some(Window::Within("daily 00:00-06:00 UTC".into())),
        };
        assert_eq!(
            any.to_cel(),
            "(wildcard(alert.title, \"Api*\") || alert.summary.contains(\"5xx\")) && in_hours(\"daily 00:00-06:00 UTC\")"
        );
        assert_eq!(Condition::from_cel(&any.to_cel()), Some(any));
    }

    #[test]
    fn hand_written_cel_in_the_builders_shape_is_read_and_other_cel_is_left_as_cel() {
        let read = Condition::from_cel("alert.severity == 'critical' && payload.level.startsWith('crit')").unwrap();
        assert_eq!(read.tests[1], t("payload.level", Op::StartsWith, "crit"));
        let one = Condition::from_cel("'team' in alert.labels").unwrap();
        assert_eq!(one.tests, [t("alert.labels.team", Op::Exists, "")]);
        assert_eq!(Condition::from_cel(""), Some(Condition::default()));
        for other in [
            "alert.severity == 'a' || alert.severity == 'b' && alert.title == 'c'",
            "size(alert.links) > 0",
            "alert.severity != 'low'",
            "!!has(alert.title)",
            "alert.severity ==",
            "alert.severity == 'a' && (alert.title == 'b' || alert.title == 'c')",
        ] {
            assert_eq!(Condition::from_cel(other), None, "{other}");
        }
    }

    #[test]
    fn wildcards_match_runs_and_single_characters() {
        for (text, pattern, expected) in [
            ("prod-api-1", "prod-*", true),
            ("prod-api-1", "*api*", true),
            ("prod", "prod*", true),
            ("prod", "p?d", false),
            ("prod", "pr?d", true),
            ("staging-api", "prod-*", false),
            ("", "*", true),
            ("a", "", false),
        ] {
            assert_eq!(wildcard_match(text, pattern), expected, "{text} ~ {pattern}");
        }
    }

    #[test]
    fn problems_are_named_by_test() {
        let c = Condition {
            any: false,
            tests: vec![
                t("severity", Op::Equals, "x"),
                t("alert.x", Op::Greater, "many"),
                t("alert.y", Op::OneOf, " , "),
            ],
            window: Some(Window::Within("weekdays".into())),
        };
        let problems: Vec<Problem> = c.check().into_iter().map(|p| p.0).collect();
        assert_eq!(problems, [Problem::Field(0), Problem::Value(1), Problem::Value(2), Problem::Window]);
    }

    fn any_test() -> impl Strategy<Value = Test> {
        let segment = prop_oneof!["[a-z][a-zA-Z0-9_]{0,6}", "[a-z0-9]([a-z0-9 /:-]{0,5}[a-z0-9])?"];
        let field = (prop_oneof![Just("alert"), Just("payload")], prop::collection::vec(segment, 1..4))
            .prop_map(|(root, rest)| format!("{root}.{}", rest.join(".")));
        let op = prop::sample::select(Op::ALL.to_vec());
        (field, op, "[a-zA-Z0-9 *?'\"\\\\-]{1,8}", any::<bool>(), -1e6f64..1e6).prop_map(
            |(field, op, text, negate, n)| {
                let value = match op {
                    Op::Exists => String::new(),
                    Op::Greater | Op::AtLeast | Op::Less | Op::AtMost => number_text((n * 100.0).round() / 100.0),
                    Op::OneOf => list(&text.replace(['\'', '"', '\\'], ",")).join(", "),
                    _ => text,
                };
                Test { field, op, value, negate }
            },
        )
    }

    proptest! {
        #[test]
        fn every_built_condition_reads_back_from_its_cel(
            any in any::<bool>(),
            tests in prop::collection::vec(any_test(), 0..4),
            window in prop::option::of((any::<bool>(), prop::sample::select(vec!["Mon-Fri 09:00-18:00 Asia/Tokyo", "Sat,Sun 00:00-00:00 UTC"]))),
        ) {
            let window = window.map(|(inside, spec)| if inside { Window::Within(spec.into()) } else { Window::Outside(spec.into()) });
            let c = Condition { any: any && tests.len() > 1, tests, window };
            prop_assume!(c.check().is_empty());
            prop_assert_eq!(Condition::from_cel(&c.to_cel()), Some(c.clone()), "{}", c.to_cel());
        }
    }
}
