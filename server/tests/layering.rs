//! Types sit below the code that uses them: no module of `app/src` or `server/src` imports one
//! that imports it back, directly or through others.
//!
//! Every file is a module. An edge `a → b` is any path in `a` that names module `b` or an item of
//! it: `use` trees and paths in code, written from the crate (`crate::`), from a parent
//! (`super::`) or to a child (`child::`). Declaring a child (`mod child;`) is not an import.
//! The test fails with every cycle it finds.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module's path from its crate root: `[]` for `lib.rs`, `["engine", "paging"]` for
/// `engine/paging.rs` or `engine/paging/mod.rs`.
type ModPath = Vec<String>;

fn module_of(root: &Path, file: &Path) -> ModPath {
    let rel = file.strip_prefix(root).unwrap();
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop().unwrap();
    match last.as_str() {
        "lib.rs" | "mod.rs" => {}
        name => parts.push(name.trim_end_matches(".rs").to_owned()),
    }
    parts
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") && path.file_name().is_some_and(|n| n != "main.rs") {
            out.push(path);
        }
    }
}

/// The source without comments, string and char literals (so their text is not read as paths).
fn code_only(src: &str) -> String {
    let bytes: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let next = bytes.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < bytes.len() && bytes[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i + 1 < bytes.len() && !(bytes[i] == '*' && bytes[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !prev_is_ident(&bytes, i) {
            // Raw string: r"…", r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while bytes.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if bytes.get(j) == Some(&'"') {
                j += 1;
                loop {
                    if j >= bytes.len() {
                        break;
                    }
                    if bytes[j] == '"' && (0..hashes).all(|k| bytes.get(j + 1 + k) == Some(&'#')) {
                        j += 1 + hashes;
                        break;
                    }
                    j += 1;
                }
                out.push_str("\"\"");
                i = j;
            } else {
                out.push(c);
                i += 1;
            }
        } else if c == '"' {
            i += 1;
            while i < bytes.len() && bytes[i] != '"' {
                if bytes[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' && next.is_some() && bytes.get(i + 2) == Some(&'\'') {
            i += 3; // 'x'
        } else if c == '\'' && next == Some('\\') {
            i += 2;
            while i < bytes.len() && bytes[i] != '\'' {
                i += 1;
            }
            i += 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn prev_is_ident(bytes: &[char], i: usize) -> bool {
    i > 0 && (bytes[i - 1].is_alphanumeric() || bytes[i - 1] == '_')
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Colons,
    Open,
    Close,
    Comma,
    Semi,
    Bang,
    Other,
}

fn tokens(code: &str) -> Vec<Tok> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Tok::Ident(chars[start..i].iter().collect()));
            continue;
        }
        match c {
            ':' if chars.get(i + 1) == Some(&':') => {
                out.push(Tok::Colons);
                i += 2;
                continue;
            }
            '{' => out.push(Tok::Open),
            '}' => out.push(Tok::Close),
            ',' => out.push(Tok::Comma),
            ';' => out.push(Tok::Semi),
            '!' => out.push(Tok::Bang),
            c if c.is_whitespace() => {}
            _ => out.push(Tok::Other),
        }
        i += 1;
    }
    out
}

/// Every path a file names: `use` trees expanded, and paths in code (macro paths aside). Each comes with the inline
/// module (`mod tests { … }`) it is written in, relative to the file's module.
fn paths_in(code: &str) -> Vec<(Vec<String>, Vec<String>)> {
    let toks = tokens(code);
    let mut out = Vec::new();
    let mut inline: Vec<(String, usize)> = Vec::new(); // (name, brace depth at its `{`)
    let mut depth = 0usize;
    let mut i = 0;
    while i < toks.len() {
        match &toks[i] {
            Tok::Open => depth += 1,
            Tok::Close => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
            }
            Tok::Ident(kw) if kw == "mod" => {
                if let (Some(Tok::Ident(name)), Some(Tok::Open)) = (toks.get(i + 1), toks.get(i + 2)) {
                    inline.push((name.clone(), depth));
                    depth += 1;
                    i += 3;
                    continue;
                }
            }
            Tok::Ident(kw) if kw == "use" => {
                let here: Vec<String> = inline.iter().map(|(n, _)| n.clone()).collect();
                let mut j = i + 1;
                let mut found = Vec::new();
                use_tree(&toks, &mut j, Vec::new(), &mut found);
                out.extend(found.into_iter().map(|p| (here.clone(), p)));
                i = j;
                continue;
            }
            Tok::Ident(_) if i == 0 || toks[i - 1] != Tok::Colons => {
                let mut path = Vec::new();
                let mut j = i;
                while let Some(Tok::Ident(seg)) = toks.get(j) {
                    path.push(seg.clone());
                    if toks.get(j + 1) == Some(&Tok::Colons) {
                        j += 2;
                    } else {
                        break;
                    }
                }
                // A macro's path (`crate::named_enum!`) names where it is exported, not a module.
                let is_macro = toks.get(j + 1) == Some(&Tok::Bang);
                if path.len() > 1 && !is_macro {
                    let here: Vec<String> = inline.iter().map(|(n, _)| n.clone()).collect();
                    out.push((here, path));
                    i = j;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

fn use_tree(toks: &[Tok], j: &mut usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    let mut path = prefix;
    loop {
        match toks.get(*j) {
            Some(Tok::Ident(seg)) => {
                path.push(seg.clone());
                *j += 1;
            }
            Some(Tok::Colons) => *j += 1,
            Some(Tok::Open) => {
                *j += 1;
                loop {
                    use_tree(toks, j, path.clone(), out);
                    match toks.get(*j) {
                        Some(Tok::Comma) => *j += 1,
                        Some(Tok::Close) => {
                            *j += 1;
                            return;
                        }
                        _ => return,
                    }
                }
            }
            _ => {
                // `as` aliases end the path: drop them.
                if let Some(pos) = path.iter().position(|s| s == "as") {
                    path.truncate(pos);
                }
                if !path.is_empty() {
                    out.push(path);
                }
                if toks.get(*j) == Some(&Tok::Semi) {
                    *j += 1;
                }
                return;
            }
        }
    }
}

/// The deepest module a path names, resolved from `at` (the module it is written in).
fn resolve(modules: &BTreeSet<ModPath>, at: &ModPath, path: &[String]) -> Option<ModPath> {
    let mut base: ModPath;
    let mut rest = path;
    match path.first().map(String::as_str) {
        Some("crate") => {
            base = Vec::new();
            rest = &path[1..];
        }
        Some("self") => {
            base = at.clone();
            rest = &path[1..];
        }
        Some("super") => {
            base = at.clone();
            while rest.first().map(String::as_str) == Some("super") {
                base.pop()?;
                rest = &rest[1..];
            }
        }
        Some(first) => {
            let mut child = at.clone();
            child.push(first.to_owned());
            if !modules.contains(&child) {
                return None; // another crate, a type, a local: not a module of this crate
            }
            base = at.clone();
        }
        None => return None,
    }
    for seg in rest {
        let mut next = base.clone();
        next.push(seg.clone());
        if modules.contains(&next) {
            base = next;
        } else {
            break;
        }
    }
    Some(base)
}

/// Cycles among the modules of one crate, as readable paths.
fn cycles(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeSet<ModPath> = files.iter().map(|f| module_of(src, f)).collect();
    let mut edges: BTreeMap<ModPath, BTreeSet<ModPath>> = BTreeMap::new();
    for file in &files {
        let from = module_of(src, file);
        let code = code_only(&std::fs::read_to_string(file).unwrap());
        for (inline, path) in paths_in(&code) {
            let mut at = from.clone();
            at.extend(inline.iter().cloned());
            // Inline modules are part of their file: resolve from them, record for the file.
            let resolved = resolve(&modules, &at, &path).or_else(|| resolve(&modules, &from, &path));
            if let Some(to) = resolved
                && to != from
            {
                edges.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    // Tarjan's strongly connected components.
    struct State<'a> {
        edges: &'a BTreeMap<ModPath, BTreeSet<ModPath>>,
        index: BTreeMap<ModPath, usize>,
        low: BTreeMap<ModPath, usize>,
        stack: Vec<ModPath>,
        on_stack: BTreeSet<ModPath>,
        next: usize,
        found: Vec<Vec<ModPath>>,
    }
    fn visit(s: &mut State<'_>, v: &ModPath) {
        s.index.insert(v.clone(), s.next);
        s.low.insert(v.clone(), s.next);
        s.next += 1;
        s.stack.push(v.clone());
        s.on_stack.insert(v.clone());
        for w in s.edges.get(v).cloned().unwrap_or_default() {
            if !s.index.contains_key(&w) {
                visit(s, &w);
                let lw = s.low[&w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if s.on_stack.contains(&w) {
                let iw = s.index[&w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(&w);
                let done = &w == v;
                component.push(w);
                if done {
                    break;
                }
            }
            if component.len() > 1 {
                s.found.push(component);
            }
        }
    }
    let mut state = State {
        edges: &edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        found: Vec::new(),
    };
    for m in &modules {
        if !state.index.contains_key(m) {
            visit(&mut state, m);
        }
    }
    let name = |m: &ModPath| if m.is_empty() { "crate".to_owned() } else { m.join("::") };
    state
        .found
        .iter()
        .map(|c| {
            let members: BTreeSet<&ModPath> = c.iter().collect();
            let detail: Vec<String> = c
                .iter()
                .map(|m| {
                    let to: Vec<String> =
                        edges.get(m).into_iter().flatten().filter(|t| members.contains(t)).map(name).collect();
                    format!("{} → {}", name(m), to.join(", "))
                })
                .collect();
            detail.join("; ")
        })
        .collect()
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut problems = Vec::new();
    for krate in ["app/src", "server/src"] {
        for cycle in cycles(&root.join(krate)) {
            problems.push(format!("{krate}: {cycle}"));
        }
    }
    assert!(problems.is_empty(), "import cycles:\n{}", problems.join("\n"));
}

#[test]
fn the_checker_finds_cycles_through_others_and_ignores_declarations() {
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("lib.rs", "pub mod a;\npub mod b;\npub mod c;\npub mod d;\n");
    write("a.rs", "use crate::b::Thing;\n// crate::d::Nope in a comment\nfn f() { let s = \"crate::d::x\"; }\n");
    write("b.rs", "pub struct Thing;\nfn g() { crate::c::h(); }\n");
    write("c.rs", "use super::{a::X, d};\npub fn h() {}\n");
    write("d/mod.rs", "pub mod e;\n");
    write("d/e.rs", "use super::super::d;\n#[cfg(test)]\nmod tests { use super::*; }\n");
    let found = cycles(dir.path());
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("a → b") && found[0].contains("b → c") && found[0].contains("c → a"), "{found:?}");
}
