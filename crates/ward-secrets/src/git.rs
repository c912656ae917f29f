//! Git inputs through libgit2 (no `git` process per commit): the staged changes of a
//! repository (for a pre-commit hook) and its history. Only lines a change adds are reported;
//! each blob is scanned whole so that secrets spanning lines (PEM keys) are still seen.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use git2::{Diff, DiffOptions, Oid, Repository, Sort};
use ward_core::Finding;

use crate::allowlist::Origin;
use crate::walk::is_binary;
use crate::{Error, Scanner};

fn git_error(e: git2::Error) -> Error {
    Error::Git(e.message().to_string())
}

/// Secrets on the lines added by the staged changes (index against HEAD) of the repository
/// containing `path`.
pub fn scan_staged(
    scanner: &Scanner,
    path: &Path,
    max_file_size: u64,
) -> Result<Vec<Finding>, Error> {
    let repo = Repository::discover(path).map_err(git_error)?;
    let head_tree = match repo.head() {
        Ok(head) => Some(head.peel_to_tree().map_err(git_error)?),
        Err(_) => None, // no commit yet: everything staged is new
    };
    let index = repo.index().map_err(git_error)?;
    let diff = repo
        .diff_tree_to_index(head_tree.as_ref(), Some(&index), Some(&mut options()))
        .map_err(git_error)?;
    let mut findings = Vec::new();
    for (file, (oid, lines)) in added_lines(&diff)? {
        let origin = Origin::file(&file);
        findings.extend(scan_blob(
            scanner,
            &repo,
            &origin,
            oid,
            &lines,
            max_file_size,
        )?);
    }
    crate::finish(&mut findings);
    Ok(findings)
}

/// The commit a finding from history came from.
#[derive(Debug, Clone)]
struct CommitInfo {
    id: String,
    author: String,
    date: String,
}

/// Secrets added by each commit reachable from HEAD (first-parent diffs; merges are diffed
/// against their first parent), stopping at `since` (excluded) when given.
pub fn scan_history(
    scanner: &Scanner,
    path: &Path,
    since: Option<&str>,
    max_file_size: u64,
    progress: &dyn Fn(u64),
) -> Result<Vec<Finding>, Error> {
    let repo = Repository::discover(path).map_err(git_error)?;
    let mut walk = repo.revwalk().map_err(git_error)?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)
        .map_err(git_error)?;
    walk.push_head().map_err(git_error)?;
    if let Some(since) = since {
        let object = repo
            .revparse_single(since)
            .map_err(|e| Error::Git(format!("{since}: {}", e.message())))?;
        walk.hide(object.id()).map_err(git_error)?;
    }
    let mut findings = Vec::new();
    for oid in walk {
        let oid = oid.map_err(git_error)?;
        let commit = repo.find_commit(oid).map_err(git_error)?;
        let tree = commit.tree().map_err(git_error)?;
        let parent_tree = match commit.parent(0) {
            Ok(parent) => Some(parent.tree().map_err(git_error)?),
            Err(_) => None,
        };
        let diff = repo
            .diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), Some(&mut options()))
            .map_err(git_error)?;
        let author = commit.author();
        let info = CommitInfo {
            id: oid.to_string(),
            author: format!(
                "{} <{}>",
                author.name().unwrap_or("?"),
                author.email().unwrap_or("?")
            ),
            date: rfc3339(commit.time().seconds()),
        };
        for (file, (blob, lines)) in added_lines(&diff)? {
            let origin = Origin {
                path: &file,
                commit: Some(&info.id),
            };
            for mut f in scan_blob(scanner, &repo, &origin, blob, &lines, max_file_size)? {
                f.external_id = Some(info.id.clone());
                f.evidence = Some(format!(
                    "commit {} by {} on {}",
                    info.id, info.author, info.date
                ));
                f.tags.push(format!("commit:{}", info.id));
                f.tags.push(format!("author:{}", info.author));
                f.tags.push(format!("date:{}", info.date));
                findings.push(f);
            }
        }
        progress(1);
    }
    crate::finish(&mut findings);
    Ok(findings)
}

fn options() -> DiffOptions {
    let mut o = DiffOptions::new();
    o.context_lines(0).ignore_submodules(true);
    o
}

/// Per file changed: the new blob and the numbers of the lines added.
fn added_lines(diff: &Diff<'_>) -> Result<BTreeMap<String, (Oid, BTreeSet<u32>)>, Error> {
    let mut files: BTreeMap<String, (Oid, BTreeSet<u32>)> = BTreeMap::new();
    diff.foreach(
        &mut |_, _| true,
        None,
        None,
        Some(&mut |delta, _hunk, line| {
            if line.origin() == '+' {
                let new = delta.new_file();
                if let (Some(path), Some(n)) = (new.path(), line.new_lineno()) {
                    let name = path.to_string_lossy().replace('\\', "/");
                    files
                        .entry(name)
                        .or_insert_with(|| (new.id(), BTreeSet::new()))
                        .1
                        .insert(n);
                }
            }
            true
        }),
    )
    .map_err(git_error)?;
    Ok(files)
}

fn scan_blob(
    scanner: &Scanner,
    repo: &Repository,
    origin: &Origin<'_>,
    oid: Oid,
    lines: &BTreeSet<u32>,
    max_file_size: u64,
) -> Result<Vec<Finding>, Error> {
    let blob = repo.find_blob(oid).map_err(git_error)?;
    let bytes = blob.content();
    if bytes.len() as u64 > max_file_size || is_binary(bytes) {
        return Ok(Vec::new());
    }
    Ok(scanner
        .scan_from(origin, bytes)
        .into_iter()
        .filter(|f| {
            f.location
                .file
                .as_ref()
                .and_then(|l| l.start_line)
                .is_some_and(|n| lines.contains(&n))
        })
        .collect())
}

/// Seconds since 1970 as `YYYY-MM-DDTHH:MM:SSZ`.
fn rfc3339(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
    }
}
