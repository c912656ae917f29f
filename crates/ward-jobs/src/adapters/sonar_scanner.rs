//! sonar-scanner, the SonarQube scanner CLI. <https://docs.sonarsource.com/sonarqube-server/latest/analyzing-source-code/scanners/sonarscanner/>
//!
//! The scanner sends its analysis to a SonarQube server (`SONAR_HOST_URL`, `SONAR_TOKEN`,
//! passed through) and leaves no report behind: the server computes the issues in a
//! background task. So after the scanner exits, ward reads the task's URL from the metadata
//! file the scanner wrote (`report-task.txt`), waits for the task to finish, and fetches the
//! project's issues and security hotspots through the Web API (`/api/ce/task`,
//! `/api/issues/search`, `/api/hotspots/search`), 500 per page up to the API's 10,000. Both
//! are written as one JSON document and imported with the `sonarqube` parser. The scanner's
//! working files go to the scratch directory, not into the scanned tree.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::{Adapter, Collect, External, RunConfig, Runner, TargetKind};

/// sonar-scanner on a directory, results fetched from the server.
pub(super) static SONAR_SCANNER: Adapter = Adapter {
    id: "sonar-scanner",
    name: "SonarQube scanner",
    target: TargetKind::Directory,
    runner: Runner::External(External {
        program: "sonar-scanner",
        args: &[
            "-Dsonar.projectKey={project}",
            "-Dsonar.projectBaseDir={target}",
            "-Dsonar.working.directory={scratch}/scannerwork",
            "-Dsonar.scanner.metadataFilePath={scratch}/report-task.txt",
        ],
        report: "sonarqube.json",
        format: "sonarqube",
        ok_exit_codes: &[0],
        pass_env: &[
            "SONAR_HOST_URL",
            "SONAR_TOKEN",
            "SONAR_SCANNER_OPTS",
            "SONAR_USER_HOME",
            "JAVA_HOME",
        ],
        collect: Collect::SonarQubeApi,
    }),
};

/// Issues per page, and the most pages the API serves (10,000 results).
const PAGE_SIZE: u32 = 500;
const MAX_PAGES: u32 = 20;
const POLL_INTERVAL: Duration = Duration::from_secs(2);

/// Waits for the analysis the scanner sent and writes its issues and hotspots to `report`.
pub(super) async fn fetch_results(
    scratch: &Path,
    report: &Path,
    config: &RunConfig,
) -> Result<(), String> {
    let metadata_path = scratch.join("report-task.txt");
    let metadata = std::fs::read_to_string(&metadata_path)
        .map_err(|e| format!("the scanner left no {}: {e}", metadata_path.display()))?;
    let task = ReportTask::parse(&metadata)?;
    let token = config
        .env
        .iter()
        .find(|(name, _)| name == "SONAR_TOKEN")
        .map(|(_, value)| value.clone())
        .or_else(|| std::env::var("SONAR_TOKEN").ok());
    let api = Api {
        client: reqwest::Client::new(),
        token,
    };
    api.wait_for_task(&task.ce_task_url, config.timeout).await?;
    let base = task.server_url.trim_end_matches('/');
    let key: String = url::form_urlencoded::byte_serialize(task.project_key.as_bytes()).collect();
    let (issues, components) = api
        .pages(
            &format!("{base}/api/issues/search?componentKeys={key}"),
            "issues",
        )
        .await?;
    let (hotspots, _) = api
        .pages(
            &format!("{base}/api/hotspots/search?projectKey={key}"),
            "hotspots",
        )
        .await?;
    let document = json!({ "issues": issues, "components": components, "hotspots": hotspots });
    std::fs::write(report, document.to_string())
        .map_err(|e| format!("writing {}: {e}", report.display()))
}

/// What the scanner's `report-task.txt` says about the analysis it sent.
#[derive(Debug, PartialEq, Eq)]
struct ReportTask {
    server_url: String,
    project_key: String,
    ce_task_url: String,
}

impl ReportTask {
    /// Reads the `key=value` lines.
    fn parse(text: &str) -> Result<ReportTask, String> {
        let values: HashMap<&str, &str> = text
            .lines()
            .filter_map(|line| line.split_once('='))
            .map(|(k, v)| (k.trim(), v.trim()))
            .collect();
        let get = |key: &str| {
            values
                .get(key)
                .map(|v| v.to_string())
                .ok_or_else(|| format!("report-task.txt has no `{key}`"))
        };
        Ok(ReportTask {
            server_url: get("serverUrl")?,
            project_key: get("projectKey")?,
            ce_task_url: get("ceTaskUrl")?,
        })
    }
}

/// The SonarQube Web API, authenticated by token (as the user name of basic authentication,
/// which every SonarQube version accepts).
struct Api {
    client: reqwest::Client,
    token: Option<String>,
}

impl Api {
    async fn get(&self, url: &str) -> Result<Value, String> {
        let mut request = self.client.get(url);
        if let Some(token) = &self.token {
            request = request.basic_auth(token, Some(""));
        }
        let response = request
            .send()
            .await
            .map_err(|e| format!("GET {url}: {e}"))?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("GET {url}: HTTP {status}"));
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| format!("GET {url}: {e}"))?;
        serde_json::from_slice(&body).map_err(|e| format!("GET {url}: not JSON: {e}"))
    }

    /// Polls the background task until it is done; fails if it failed or time ran out.
    async fn wait_for_task(&self, url: &str, timeout: Duration) -> Result<(), String> {
        let start = Instant::now();
        loop {
            let task = self.get(url).await?;
            match task.pointer("/task/status").and_then(Value::as_str) {
                Some("SUCCESS") => return Ok(()),
                Some(status @ ("FAILED" | "CANCELED")) => {
                    let message = task
                        .pointer("/task/errorMessage")
                        .and_then(Value::as_str)
                        .unwrap_or("no message");
                    return Err(format!(
                        "the SonarQube analysis task ended {status}: {message}"
                    ));
                }
                _ if start.elapsed() >= timeout => {
                    return Err(format!(
                        "the SonarQube analysis task did not finish within {} s",
                        timeout.as_secs()
                    ))
                }
                _ => tokio::time::sleep(POLL_INTERVAL).await,
            }
        }
    }

    /// Every page of a search: the `field` array of each, and their `components`.
    async fn pages(&self, url: &str, field: &str) -> Result<(Vec<Value>, Vec<Value>), String> {
        let mut items = Vec::new();
        let mut components = Vec::new();
        for page in 1..=MAX_PAGES {
            let body = self.get(&format!("{url}&ps={PAGE_SIZE}&p={page}")).await?;
            let found = body
                .get(field)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let n_found = found.len();
            items.extend(found);
            if let Some(more) = body.get("components").and_then(Value::as_array) {
                components.extend(more.iter().cloned());
            }
            let total = body
                .pointer("/paging/total")
                .or_else(|| body.get("total"))
                .and_then(Value::as_u64)
                .unwrap_or(0);
            if n_found < PAGE_SIZE as usize || items.len() as u64 >= total {
                break;
            }
        }
        Ok((items, components))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_scanner_metadata_file() {
        let text = "projectKey=shop\nserverUrl=https://sonar.example.com\nserverVersion=10.6.0\n\
                    dashboardUrl=https://sonar.example.com/dashboard?id=shop\n\
                    ceTaskId=AY1\nceTaskUrl=https://sonar.example.com/api/ce/task?id=AY1\n";
        assert_eq!(
            ReportTask::parse(text).unwrap(),
            ReportTask {
                server_url: "https://sonar.example.com".to_string(),
                project_key: "shop".to_string(),
                ce_task_url: "https://sonar.example.com/api/ce/task?id=AY1".to_string(),
            }
        );
        assert!(ReportTask::parse("projectKey=x\n")
            .unwrap_err()
            .contains("serverUrl"));
    }
}
