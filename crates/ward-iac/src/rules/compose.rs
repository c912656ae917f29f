//! docker-compose rules: privileged services, host namespaces, the Docker socket,
//! dangerous capabilities, disabled confinement, plaintext secrets.
//! Reference: the Compose specification (<https://github.com/compose-spec/compose-spec/blob/main/05-services.md>).

use ward_core::Severity;

use crate::model::Node;
use crate::parsers::compose::ComposeService;
use crate::rules::secrets::{is_literal_value, is_secret_name};
use crate::rules::{rule, Check, Hits, Rule};

/// Every compose rule.
pub(crate) static RULES: &[&Rule] = &[
    &PRIVILEGED,
    &HOST_NETWORK,
    &HOST_PID,
    &HOST_IPC,
    &DOCKER_SOCKET,
    &DANGEROUS_CAPABILITIES,
    &UNCONFINED,
    &ENV_SECRET,
    &IMAGE_LATEST,
];

fn equals(s: &ComposeService, h: &mut Hits, key: &str, value: &str) {
    if let Some(n) = s.doc.get(key).filter(|n| n.as_str() == Some(value)) {
        h.at(n.line);
    }
}

rule! {
    /// Flags services that run privileged (`privileged: true`).
    ///
    /// Why: the container gets every capability and all host devices: root on the host.
    PRIVILEGED {
        id: "compose-privileged",
        title: "Compose service runs privileged",
        severity: Severity::Critical,
        check: Check::Compose(|s, h| {
            if let Some(n) = s.doc.get("privileged").filter(|n| n.is_true()) {
                h.at(n.line);
            }
        }),
        remediation: "Remove `privileged: true`; add only the capabilities and devices the service needs.",
        references: &["https://github.com/compose-spec/compose-spec/blob/main/05-services.md"],
        aliases: &[],
        fail: &[("docker-compose.yml", "services:\n  app:\n    image: app:1\n    privileged: true\n")],
        pass: &[("docker-compose.yml", "services:\n  app:\n    image: app:1\n")],
    }
}

rule! {
    /// Flags services on the host's network stack (`network_mode: host`).
    ///
    /// Why: the service binds the host's interfaces directly, reaches services bound to the
    /// host's localhost, and bypasses port mapping and network isolation.
    HOST_NETWORK {
        id: "compose-host-network",
        title: "Compose service uses the host network",
        severity: Severity::High,
        check: Check::Compose(|s, h| equals(s, h, "network_mode", "host")),
        remediation: "Use a bridge network and publish only the needed ports.",
        references: &["https://github.com/compose-spec/compose-spec/blob/main/05-services.md"],
        aliases: &[],
        fail: &[("compose.yaml", "services:\n  app:\n    image: app:1\n    network_mode: host\n")],
        pass: &[("compose.yaml", "services:\n  app:\n    image: app:1\n    ports: [\"8080:8080\"]\n")],
    }
}

rule! {
    /// Flags services that share the host's process namespace (`pid: host`).
    ///
    /// Why: the service sees, and as root can signal or trace, every process on the host.
    HOST_PID {
        id: "compose-host-pid",
        title: "Compose service shares the host PID namespace",
        severity: Severity::High,
        check: Check::Compose(|s, h| equals(s, h, "pid", "host")),
        remediation: "Remove `pid: host`.",
        references: &["https://github.com/compose-spec/compose-spec/blob/main/05-services.md"],
        aliases: &[],
        fail: &[("docker-compose.yml", "services:\n  app:\n    image: app:1\n    pid: host\n")],
        pass: &[("docker-compose.yml", "services:\n  app:\n    image: app:1\n")],
    }
}

rule! {
    /// Flags services that share the host's IPC namespace (`ipc: host`).
    ///
    /// Why: the service can read and write shared memory of host processes.
    HOST_IPC {
        id: "compose-host-ipc",
        title: "Compose service shares the host IPC namespace",
        severity: Severity::Medium,
        check: Check::Compose(|s, h| equals(s, h, "ipc", "host")),
        remediation: "Remove `ipc: host`.",
        references: &["https://github.com/compose-spec/compose-spec/blob/main/05-services.md"],
        aliases: &[],
        fail: &[("docker-compose.yml", "services:\n  app:\n    image: app:1\n    ipc: host\n")],
        pass: &[("docker-compose.yml", "services:\n  app:\n    image: app:1\n    ipc: private\n")],
    }
}

rule! {
    /// Flags services that mount the Docker (or containerd) socket.
    ///
    /// Why: access to the socket is root on the host: the service can start a privileged
    /// container that mounts `/`.
    DOCKER_SOCKET {
        id: "compose-docker-socket-mount",
        title: "Compose service mounts the Docker socket",
        severity: Severity::Critical,
        check: Check::Compose(|s, h| {
            for v in s.doc.get("volumes").into_iter().flat_map(Node::items) {
                let source = v.as_str().map(|t| t.split(':').next().unwrap_or(t)).or_else(|| v.get("source").and_then(Node::as_str));
                if source.is_some_and(|p| p.contains("docker.sock") || p.contains("containerd.sock")) {
                    h.at(v.line);
                }
            }
        }),
        remediation: "Do not mount the socket; if a tool must talk to Docker, give it a socket proxy limited to the read-only endpoints it needs.",
        references: &["https://docs.docker.com/engine/security/#docker-daemon-attack-surface"],
        aliases: &[],
        fail: &[("docker-compose.yml", "services:\n  agent:\n    image: agent:1\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n")],
        pass: &[("docker-compose.yml", "services:\n  agent:\n    image: agent:1\n    volumes:\n      - ./data:/data\n")],
    }
}

/// Capabilities that amount to (part of) root on the host.
const DANGEROUS: &[&str] = &[
    "ALL",
    "SYS_ADMIN",
    "SYS_MODULE",
    "SYS_PTRACE",
    "SYS_RAWIO",
    "SYS_BOOT",
    "NET_ADMIN",
    "DAC_READ_SEARCH",
    "DAC_OVERRIDE",
    "BPF",
    "PERFMON",
    "SYS_CHROOT",
];

rule! {
    /// Flags services that add dangerous Linux capabilities (`SYS_ADMIN`, `NET_ADMIN`,
    /// `SYS_PTRACE`, `DAC_READ_SEARCH`, `ALL` …).
    ///
    /// Why: each is a documented container escape or host tampering path.
    DANGEROUS_CAPABILITIES {
        id: "compose-dangerous-capabilities",
        title: "Compose service adds dangerous capabilities",
        severity: Severity::High,
        check: Check::Compose(|s, h| {
            if let Some(add) = s.doc.get("cap_add") {
                let bad: Vec<&str> = add
                    .strings()
                    .into_iter()
                    .filter(|c| DANGEROUS.contains(&c.trim_start_matches("CAP_").to_ascii_uppercase().as_str()))
                    .collect();
                if !bad.is_empty() {
                    h.detail(add.line, format!("adds {}", bad.join(", ")));
                }
            }
        }),
        remediation: "Drop the capabilities, or keep the one the service cannot work without and confine it with AppArmor/SELinux and seccomp.",
        references: &["https://docs.docker.com/engine/containers/run/#runtime-privilege-and-linux-capabilities"],
        aliases: &[],
        fail: &[("docker-compose.yml", "services:\n  app:\n    image: app:1\n    cap_add: [SYS_ADMIN]\n")],
        pass: &[("docker-compose.yml", "services:\n  app:\n    image: app:1\n    cap_drop: [ALL]\n    cap_add: [NET_BIND_SERVICE]\n")],
    }
}

rule! {
    /// Flags services that turn off AppArmor, seccomp or SELinux confinement
    /// (`security_opt: apparmor:unconfined`, `seccomp:unconfined`, `label:disable`).
    ///
    /// Why: the kernel-level guard rails that stop most container escapes are removed.
    UNCONFINED {
        id: "compose-unconfined",
        title: "Compose service disables AppArmor, seccomp or SELinux",
        severity: Severity::Medium,
        check: Check::Compose(|s, h| {
            for o in s.doc.get("security_opt").into_iter().flat_map(Node::items) {
                let text = o.as_str().unwrap_or("").replace('=', ":").to_ascii_lowercase();
                if text.ends_with(":unconfined") || text == "label:disable" {
                    h.detail(o.line, format!("`{text}`"));
                }
            }
        }),
        remediation: "Keep the default profiles, or write a custom AppArmor/seccomp profile for the service.",
        references: &["https://docs.docker.com/engine/security/seccomp/"],
        aliases: &[],
        fail: &[("docker-compose.yml", "services:\n  app:\n    image: app:1\n    security_opt:\n      - seccomp:unconfined\n")],
        pass: &[("docker-compose.yml", "services:\n  app:\n    image: app:1\n    security_opt:\n      - no-new-privileges:true\n")],
    }
}

rule! {
    /// Flags services whose `environment` sets a credential-named variable to a literal
    /// value.
    ///
    /// Why: the credential lives in the repository and in `docker inspect` output.
    ENV_SECRET {
        id: "compose-env-plaintext-secret",
        title: "Compose service environment holds a plaintext secret",
        severity: Severity::High,
        check: Check::Compose(|s, h| {
            let Some(env) = s.doc.get("environment") else {
                return;
            };
            for (name, value) in env.entries() {
                if is_secret_name(name) && is_literal_value(value) {
                    h.detail(value.line, format!("`{name}` is set to a literal value"));
                }
            }
            for item in env.items().filter(|i| i.as_str().is_some()) {
                let text = item.as_str().unwrap_or("");
                if let Some((name, value)) = text.split_once('=') {
                    if is_secret_name(name) && is_literal_value(&Node::str(value, item.line)) {
                        h.detail(item.line, format!("`{name}` is set to a literal value"));
                    }
                }
            }
        }),
        remediation: "Use Compose `secrets:` or variables substituted from the environment (`${DB_PASSWORD}`) kept out of the repository.",
        references: &["https://docs.docker.com/compose/how-tos/use-secrets/"],
        aliases: &[],
        fail: &[("docker-compose.yml", "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: hunter2hunter2\n")],
        pass: &[("docker-compose.yml", "services:\n  db:\n    image: postgres:16\n    environment:\n      - POSTGRES_PASSWORD=${POSTGRES_PASSWORD}\n")],
    }
}

rule! {
    /// Flags services whose image has no tag or the `latest` tag.
    ///
    /// Why: every `docker compose pull` may bring a different image.
    IMAGE_LATEST {
        id: "compose-image-latest-tag",
        title: "Compose service image uses the latest tag or no tag",
        severity: Severity::Low,
        check: Check::Compose(|s, h| {
            let Some(image) = s.doc.get("image") else {
                return;
            };
            let Some(text) = image.as_str() else {
                return;
            };
            if text.contains('@') || text.contains('$') {
                return;
            }
            let last = text.rsplit('/').next().unwrap_or(text);
            if last.split_once(':').is_none_or(|(_, t)| t == "latest") {
                h.detail(image.line, format!("the image is `{text}`"));
            }
        }),
        remediation: "Pin the image to a version tag or digest.",
        references: &["https://github.com/compose-spec/compose-spec/blob/main/05-services.md"],
        aliases: &[],
        fail: &[("docker-compose.yml", "services:\n  app:\n    image: ghcr.io/org/app\n")],
        pass: &[("docker-compose.yml", "services:\n  app:\n    image: ghcr.io/org/app:2.1.0\n")],
    }
}
