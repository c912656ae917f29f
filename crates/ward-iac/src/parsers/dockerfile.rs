//! Dockerfiles: the instructions with their lines, continuation lines joined.
//!
//! Format: the Dockerfile reference (<https://docs.docker.com/reference/dockerfile/>):
//! parser directives (`# escape=`), comments, line continuations with the escape character,
//! and BuildKit heredocs (`RUN <<EOF … EOF`). Suppressions are comments anywhere in the
//! file, `# ward:skip=RULE reason` (or checkov's `#checkov:skip=CKV_DOCKER_3:reason`); they
//! apply to the whole file, as most Dockerfile rules are about the file as a whole.

use std::sync::Arc;

use crate::model::Suppression;
use crate::parsers::terraform::comment_suppressions;

/// A parsed Dockerfile.
#[derive(Debug, Clone)]
pub struct Dockerfile {
    /// The file, relative to the scan root.
    pub file: Arc<str>,
    /// The instructions in order.
    pub instructions: Vec<Instruction>,
    /// Suppressed rules.
    pub suppressions: Vec<Suppression>,
}

/// One instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// The instruction keyword, upper case (`RUN`, `FROM` …).
    pub keyword: String,
    /// The arguments, continuation lines joined with a space (heredoc bodies with newlines).
    pub args: String,
    /// The line the instruction starts on.
    pub line: u32,
}

impl Instruction {
    /// The arguments after leading `--flag=value` options, and the options.
    pub fn split_flags(&self) -> (Vec<&str>, &str) {
        let mut flags = Vec::new();
        let mut rest = self.args.trim_start();
        while rest.starts_with("--") {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let (flag, tail) = rest.split_at(end);
            flags.push(flag);
            rest = tail.trim_start();
        }
        (flags, rest)
    }
}

impl Dockerfile {
    /// Parses a Dockerfile. Never fails: a line that is not an instruction is kept as an
    /// instruction with its first word as keyword, which no rule matches.
    pub fn parse(file: Arc<str>, text: &str) -> Dockerfile {
        let mut escape = '\\';
        let mut instructions = Vec::new();
        let mut lines = text.lines().enumerate().peekable();
        let mut in_directives = true;
        while let Some((index, raw)) = lines.next() {
            let line_no = u32::try_from(index + 1).unwrap_or(u32::MAX);
            let trimmed = raw.trim();
            if trimmed.is_empty() {
                in_directives = false;
                continue;
            }
            if trimmed.starts_with('#') {
                if in_directives {
                    let directive = trimmed.trim_start_matches('#').trim();
                    if let Some(value) = directive.strip_prefix("escape=") {
                        escape = value.trim().chars().next().unwrap_or('\\');
                    }
                }
                continue;
            }
            in_directives = false;
            let (keyword, first_args) = trimmed
                .split_once(char::is_whitespace)
                .unwrap_or((trimmed, ""));
            let mut args = String::from(first_args.trim());
            while args.ends_with(escape) {
                args.pop();
                let mut joined = false;
                while let Some((_, next)) = lines.peek() {
                    let next = next.trim();
                    if next.starts_with('#') || next.is_empty() {
                        lines.next();
                        continue;
                    }
                    args = format!("{} {}", args.trim_end(), next);
                    lines.next();
                    joined = true;
                    break;
                }
                if !joined {
                    break;
                }
            }
            if let Some(terminator) = heredoc_terminator(&args) {
                for (_, body) in lines.by_ref() {
                    let done = body.trim() == terminator;
                    args.push('\n');
                    args.push_str(body);
                    if done {
                        break;
                    }
                }
            }
            instructions.push(Instruction {
                keyword: keyword.to_ascii_uppercase(),
                args,
                line: line_no,
            });
        }
        Dockerfile {
            file,
            instructions,
            suppressions: comment_suppressions(text),
        }
    }

    /// The instructions of the last stage (after the last `FROM`), where the image's user
    /// and health check are decided.
    pub fn final_stage(&self) -> &[Instruction] {
        let start = self
            .instructions
            .iter()
            .rposition(|i| i.keyword == "FROM")
            .unwrap_or(0);
        self.instructions.get(start..).unwrap_or(&[])
    }

    /// Instructions with a keyword.
    pub fn all<'a>(&'a self, keyword: &'a str) -> impl Iterator<Item = &'a Instruction> + 'a {
        self.instructions
            .iter()
            .filter(move |i| i.keyword == keyword)
    }

    /// The names given to stages with `FROM … AS name`.
    pub fn stage_names(&self) -> Vec<String> {
        self.all("FROM")
            .filter_map(|i| {
                let (_, rest) = i.split_flags();
                let mut words = rest.split_whitespace();
                let _image = words.next();
                match (words.next(), words.next()) {
                    (Some(as_kw), Some(name)) if as_kw.eq_ignore_ascii_case("as") => {
                        Some(name.to_ascii_lowercase())
                    }
                    _ => None,
                }
            })
            .collect()
    }
}

/// The terminator word of a heredoc in the arguments (`<<EOF`, `<<-"EOF"`).
fn heredoc_terminator(args: &str) -> Option<String> {
    let start = args.find("<<")?;
    let rest = args.get(start + 2..)?.trim_start_matches('-');
    let word: String = rest
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!word.is_empty()).then_some(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuations_comments_and_heredocs() {
        let file = Dockerfile::parse(
            Arc::from("Dockerfile"),
            "# syntax=docker/dockerfile:1\nFROM alpine:3.19 AS build\nRUN apk add \\\n    # a comment inside\n    curl\n# ward:skip=docker-healthcheck-missing batch job\nRUN <<EOF\necho hi\nEOF\nuser nobody\n",
        );
        let keywords: Vec<(&str, u32)> = file
            .instructions
            .iter()
            .map(|i| (i.keyword.as_str(), i.line))
            .collect();
        assert_eq!(
            keywords,
            vec![("FROM", 2), ("RUN", 3), ("RUN", 7), ("USER", 10)]
        );
        assert_eq!(
            file.instructions.get(1).map(|i| i.args.as_str()),
            Some("apk add curl")
        );
        assert!(file
            .instructions
            .get(2)
            .is_some_and(|i| i.args.contains("echo hi")));
        assert_eq!(file.stage_names(), vec!["build"]);
        assert_eq!(file.suppressions.len(), 1);
    }

    #[test]
    fn the_escape_directive_is_honoured() {
        let file = Dockerfile::parse(
            Arc::from("Dockerfile"),
            "# escape=`\nFROM x\nRUN a `\n  b\n",
        );
        assert_eq!(
            file.instructions.get(1).map(|i| i.args.as_str()),
            Some("a b")
        );
    }
}
