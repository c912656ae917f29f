//! Kubernetes rules: host namespaces and paths, privileged and root containers,
//! capabilities, resource limits, image tags, probes, secrets, namespaces and RBAC.
//!
//! Workload rules read the pod spec of Pods, Deployments, StatefulSets, DaemonSets,
//! ReplicaSets, Jobs and CronJobs. A container's effective security settings are its own
//! `securityContext` over the pod's. References: the Pod Security Standards
//! (<https://kubernetes.io/docs/concepts/security/pod-security-standards/>) and the CIS
//! Kubernetes Benchmark.

use ward_core::Severity;

use crate::model::Node;
use crate::parsers::kubernetes::KubeObject;
use crate::rules::secrets::{is_literal_value, is_secret_name};
use crate::rules::{rule, Check, Hits, Rule};

/// Every Kubernetes rule.
pub(crate) static RULES: &[&Rule] = &[
    &PRIVILEGED,
    &PRIVILEGE_ESCALATION,
    &RUN_AS_ROOT,
    &LOW_UID,
    &HOST_NETWORK,
    &HOST_PID,
    &HOST_IPC,
    &HOST_PATH,
    &RUNTIME_SOCKET,
    &HOST_PORT,
    &ADDED_CAPABILITIES,
    &CAPABILITIES_NOT_DROPPED,
    &NET_RAW,
    &WRITABLE_ROOT_FS,
    &NO_SECURITY_CONTEXT,
    &NO_SECCOMP,
    &NO_CPU_LIMIT,
    &NO_MEMORY_LIMIT,
    &NO_CPU_REQUEST,
    &NO_MEMORY_REQUEST,
    &IMAGE_LATEST,
    &IMAGE_NO_DIGEST,
    &PULL_POLICY,
    &NO_LIVENESS,
    &NO_READINESS,
    &SECRET_ENV_REF,
    &ENV_PLAINTEXT_SECRET,
    &TOKEN_AUTOMOUNT,
    &DEFAULT_NAMESPACE,
    &CLUSTER_ADMIN_BINDING,
    &WILDCARD_RBAC,
];

/// A container's effective security settings: its own `securityContext` over the pod's.
struct Effective<'a> {
    own: Option<&'a Node>,
    pod: Option<&'a Node>,
}

impl<'a> Effective<'a> {
    fn get(&self, key: &str) -> Option<&'a Node> {
        self.own
            .and_then(|s| s.get(key))
            .or_else(|| self.pod.and_then(|s| s.get(key)))
    }
}

/// Calls `f` with every container and its effective security settings.
fn each_container<'a>(o: &'a KubeObject, mut f: impl FnMut(&'a Node, &Effective<'a>)) {
    let pod = o.pod_spec().and_then(|s| s.get("securityContext"));
    for c in o.containers() {
        let effective = Effective {
            own: c.get("securityContext"),
            pod,
        };
        f(c, &effective);
    }
}

fn container_line(c: &Node) -> u32 {
    c.get("name").map(|n| n.line).unwrap_or(c.line)
}

fn name(c: &Node) -> &str {
    c.get("name").and_then(Node::as_str).unwrap_or("?")
}

fn pod_flag(o: &KubeObject, h: &mut Hits, key: &str) {
    if let Some(n) = o
        .pod_spec()
        .and_then(|s| s.get(key))
        .filter(|n| n.is_true())
    {
        h.at(n.line);
    }
}

fn is_job(o: &KubeObject) -> bool {
    matches!(o.kind.as_str(), "Job" | "CronJob")
}

rule! {
    /// Flags containers running in privileged mode.
    ///
    /// Why: a privileged container has every capability and all host devices; it is root
    /// on the node in all but name.
    PRIVILEGED {
        id: "k8s-privileged-container",
        title: "Container runs privileged",
        severity: Severity::Critical,
        check: Check::Kubernetes(|o, h| each_container(o, |c, _| {
            if let Some(p) = c.get("securityContext").and_then(|s| s.get("privileged")).filter(|p| p.is_true()) {
                h.detail(p.line, format!("container `{}` is privileged", name(c)));
            }
        })),
        remediation: "Remove `privileged: true`; grant only the specific capabilities the container needs.",
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
        aliases: &["CKV_K8S_16"],
        fail: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: app}\nspec:\n  containers:\n    - name: c\n      image: nginx:1.27\n      securityContext:\n        privileged: true\n")],
        pass: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: app}\nspec:\n  containers:\n    - name: c\n      image: nginx:1.27\n      securityContext:\n        privileged: false\n")],
    }
}

rule! {
    /// Flags containers that may gain more privileges than their parent process
    /// (`allowPrivilegeEscalation` not set to false).
    ///
    /// Why: setuid binaries and file capabilities inside the image can then raise the
    /// process to root.
    PRIVILEGE_ESCALATION {
        id: "k8s-privilege-escalation-allowed",
        title: "Container allows privilege escalation",
        severity: Severity::Medium,
        check: Check::Kubernetes(|o, h| each_container(o, |c, sc| {
            match sc.get("allowPrivilegeEscalation") {
                Some(n) if n.is_false() => {}
                Some(n) => h.detail(n.line, format!("container `{}`", name(c))),
                None => h.detail(container_line(c), format!("container `{}`", name(c))),
            }
        })),
        remediation: "Set `securityContext.allowPrivilegeEscalation: false`.",
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
        aliases: &["CKV_K8S_20"],
        fail: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: nginx:1.27\n")],
        pass: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: nginx:1.27\n      securityContext:\n        allowPrivilegeEscalation: false\n")],
    }
}

rule! {
    /// Flags containers that may run as root: `runAsUser: 0`, or neither `runAsNonRoot:
    /// true` nor a non-zero `runAsUser` in the container's or pod's security context.
    ///
    /// Why: root in a container is root on the node's kernel; one kernel or runtime bug
    /// away from owning the node.
    RUN_AS_ROOT {
        id: "k8s-run-as-root",
        title: "Container may run as root",
        severity: Severity::Medium,
        check: Check::Kubernetes(|o, h| each_container(o, |c, sc| {
            let user = sc.get("runAsUser");
            if let Some(u) = user.filter(|u| u.as_i64() == Some(0)) {
                h.detail(u.line, format!("container `{}` runs as user 0", name(c)));
                return;
            }
            let non_root = sc.get("runAsNonRoot").is_some_and(Node::is_true);
            let uid_set = user.and_then(Node::as_i64).is_some_and(|u| u > 0);
            if !non_root && !uid_set {
                h.detail(container_line(c), format!("container `{}` does not set runAsNonRoot", name(c)));
            }
        })),
        remediation: "Set `runAsNonRoot: true` and a non-zero `runAsUser` in the pod or container security context, and build images with a non-root `USER`.",
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
        aliases: &["CKV_K8S_23", "CKV_K8S_6"],
        fail: &[("deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: app}\nspec:\n  template:\n    spec:\n      securityContext:\n        runAsUser: 0\n      containers:\n        - name: c\n          image: nginx:1.27\n")],
        pass: &[("deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: app}\nspec:\n  template:\n    spec:\n      securityContext:\n        runAsNonRoot: true\n        runAsUser: 10001\n      containers:\n        - name: c\n          image: nginx:1.27\n")],
    }
}

rule! {
    /// Flags containers whose user id is below 10000 (or not set).
    ///
    /// Why: low UIDs collide with users on the node; if the container escapes, it acts as
    /// that host user.
    LOW_UID {
        id: "k8s-low-uid",
        title: "Container runs with a low user id",
        severity: Severity::Low,
        check: Check::Kubernetes(|o, h| each_container(o, |c, sc| {
            match sc.get("runAsUser") {
                Some(u) if u.is_dynamic() || u.as_i64().is_some_and(|u| u >= 10000) => {}
                Some(u) => h.detail(u.line, format!("container `{}`", name(c))),
                None => h.detail(container_line(c), format!("container `{}` sets no runAsUser", name(c))),
            }
        })),
        remediation: "Run as a user id of 10000 or more (`runAsUser`).",
        references: &["https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"],
        aliases: &["CKV_K8S_40"],
        fail: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext:\n    runAsUser: 1000\n  containers:\n    - name: c\n")],
        pass: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext:\n    runAsUser: 10014\n  containers:\n    - name: c\n")],
    }
}

rule! {
    /// Flags pods that share the node's network namespace (`hostNetwork: true`).
    ///
    /// Why: the pod sees and can bind every interface of the node, bypasses network
    /// policies and can reach services bound to localhost.
    HOST_NETWORK {
        id: "k8s-host-network",
        title: "Pod shares the host network namespace",
        severity: Severity::High,
        check: Check::Kubernetes(|o, h| pod_flag(o, h, "hostNetwork")),
        remediation: "Remove `hostNetwork: true`; expose the pod through a Service.",
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
        aliases: &["CKV_K8S_19"],
        fail: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwork: true\n  containers: [{name: c}]\n")],
        pass: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwork: false\n  containers: [{name: c}]\n")],
    }
}

rule! {
    /// Flags pods that share the node's process namespace (`hostPID: true`).
    ///
    /// Why: the pod sees every process on the node, can read their environment and, as
    /// root, attach to them.
    HOST_PID {
        id: "k8s-host-pid",
        title: "Pod shares the host process namespace",
        severity: Severity::High,
        check: Check::Kubernetes(|o, h| pod_flag(o, h, "hostPID")),
        remediation: "Remove `hostPID: true`.",
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
        aliases: &["CKV_K8S_17"],
        fail: &[("job.yaml", "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n      hostPID: true\n      containers: [{name: c}]\n")],
        pass: &[("job.yaml", "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n      containers: [{name: c}]\n")],
    }
}

rule! {
    /// Flags pods that share the node's IPC namespace (`hostIPC: true`).
    ///
    /// Why: the pod can read and write the shared memory of every process on the node.
    HOST_IPC {
        id: "k8s-host-ipc",
        title: "Pod shares the host IPC namespace",
        severity: Severity::High,
        check: Check::Kubernetes(|o, h| pod_flag(o, h, "hostIPC")),
        remediation: "Remove `hostIPC: true`.",
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
        aliases: &["CKV_K8S_18"],
        fail: &[("ds.yaml", "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      hostIPC: true\n      containers: [{name: c}]\n")],
        pass: &[("ds.yaml", "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers: [{name: c}]\n")],
    }
}

fn host_paths(o: &KubeObject) -> impl Iterator<Item = (&Node, &str)> {
    o.pod_spec()
        .and_then(|s| s.get("volumes"))
        .into_iter()
        .flat_map(Node::items)
        .filter_map(|v| {
            let path = v.path("hostPath.path")?;
            Some((path, path.as_str().unwrap_or("")))
        })
}

rule! {
    /// Flags pods that mount a directory or file of the node (`hostPath` volumes).
    ///
    /// Why: host paths expose node files (credentials, kubelet state, other pods' data) and,
    /// writable, let the pod change the node.
    HOST_PATH {
        id: "k8s-host-path-volume",
        title: "Pod mounts a host path",
        severity: Severity::Medium,
        check: Check::Kubernetes(|o, h| {
            for (node, path) in host_paths(o) {
                h.detail(node.line, format!("the host path `{path}` is mounted"));
            }
        }),
        remediation: "Use emptyDir, ConfigMap, Secret or persistent volumes instead of hostPath.",
        references: &["https://kubernetes.io/docs/concepts/storage/volumes/#hostpath"],
        aliases: &[],
        fail: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c}]\n  volumes:\n    - name: root\n      hostPath:\n        path: /\n")],
        pass: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c}]\n  volumes:\n    - name: tmp\n      emptyDir: {}\n")],
    }
}

rule! {
    /// Flags pods that mount the container runtime's socket (`docker.sock`,
    /// `containerd.sock`, `crio.sock`).
    ///
    /// Why: whoever talks to the runtime socket can start a privileged container on the
    /// node: it is root on the node.
    RUNTIME_SOCKET {
        id: "k8s-runtime-socket-mount",
        title: "Pod mounts the container runtime socket",
        severity: Severity::Critical,
        check: Check::Kubernetes(|o, h| {
            for (node, path) in host_paths(o) {
                if ["docker.sock", "containerd.sock", "crio.sock", "/var/run/docker", "/run/containerd"].iter().any(|s| path.contains(s)) {
                    h.detail(node.line, format!("the runtime socket `{path}` is mounted"));
                }
            }
        }),
        remediation: "Do not mount the runtime socket; build images with rootless builders (Kaniko, BuildKit rootless) and monitor through the kubelet API.",
        references: &["https://kubernetes.io/docs/concepts/storage/volumes/#hostpath"],
        aliases: &["CKV_K8S_27"],
        fail: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c}]\n  volumes:\n    - name: sock\n      hostPath:\n        path: /var/run/docker.sock\n")],
        pass: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c}]\n  volumes:\n    - name: data\n      hostPath:\n        path: /srv/data\n")],
    }
}

rule! {
    /// Flags containers that bind a port on the node (`hostPort`).
    ///
    /// Why: the port is opened on the node's address, outside Services and network
    /// policies, and limits where the pod can be scheduled.
    HOST_PORT {
        id: "k8s-host-port",
        title: "Container binds a host port",
        severity: Severity::Medium,
        check: Check::Kubernetes(|o, h| each_container(o, |c, _| {
            for p in c.get("ports").into_iter().flat_map(Node::items) {
                if let Some(hp) = p.get("hostPort").filter(|n| n.as_i64().is_some_and(|v| v > 0)) {
                    h.detail(hp.line, format!("container `{}` binds host port {}", name(c), hp.as_i64().unwrap_or(0)));
                }
            }
        })),
        remediation: "Remove `hostPort`; expose the container through a Service.",
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
        aliases: &["CKV_K8S_26"],
        fail: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      ports:\n        - containerPort: 80\n          hostPort: 80\n")],
        pass: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      ports:\n        - containerPort: 80\n")],
    }
}

fn capabilities<'a>(c: &'a Node, key: &str) -> Option<&'a Node> {
    c.get("securityContext")
        .and_then(|s| s.get("capabilities"))
        .and_then(|cap| cap.get(key))
}

rule! {
    /// Flags containers that add Linux capabilities (`capabilities.add`), other than
    /// `NET_BIND_SERVICE`.
    ///
    /// Why: capabilities such as `SYS_ADMIN`, `NET_ADMIN` or `SYS_PTRACE` each hand over a
    /// piece of root and are common container escape paths.
    ADDED_CAPABILITIES {
        id: "k8s-added-capabilities",
        title: "Container adds Linux capabilities",
        severity: Severity::Medium,
        check: Check::Kubernetes(|o, h| each_container(o, |c, _| {
            if let Some(add) = capabilities(c, "add") {
                let extra: Vec<&str> = add.strings().into_iter().filter(|s| !s.eq_ignore_ascii_case("NET_BIND_SERVICE")).collect();
                if !extra.is_empty() {
                    h.detail(add.line, format!("container `{}` adds {}", name(c), extra.join(", ")));
                }
            }
        })),
        remediation: "Remove the added capabilities, or keep only the single one the workload needs and document why.",
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
        aliases: &["CKV_K8S_25", "CKV_K8S_39"],
        fail: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      securityContext:\n        capabilities:\n          add: [SYS_ADMIN]\n")],
        pass: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      securityContext:\n        capabilities:\n          add: [NET_BIND_SERVICE]\n          drop: [ALL]\n")],
    }
}

fn drops(c: &Node, capability: &str) -> bool {
    capabilities(c, "drop").is_some_and(|d| d.has_str("ALL") || d.has_str(capability))
}

rule! {
    /// Flags containers that do not drop all Linux capabilities (`capabilities.drop:
    /// [ALL]`).
    ///
    /// Why: the runtime's default set still includes capabilities such as `NET_RAW`,
    /// `CHOWN` and `SETUID`; dropping all and adding back what is needed is the baseline.
    CAPABILITIES_NOT_DROPPED {
        id: "k8s-capabilities-not-dropped",
        title: "Container does not drop all capabilities",
        severity: Severity::Low,
        check: Check::Kubernetes(|o, h| each_container(o, |c, _| {
            if !capabilities(c, "drop").is_some_and(|d| d.has_str("ALL")) {
                h.detail(container_line(c), format!("container `{}`", name(c)));
            }
        })),
        remediation: "Set `securityContext.capabilities.drop: [ALL]` and add back only what is needed.",
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
        aliases: &["CKV_K8S_37"],
        fail: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n")],
        pass: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      securityContext:\n        capabilities:\n          drop: [ALL]\n")],
    }
}

rule! {
    /// Flags containers that keep the `NET_RAW` capability (neither `ALL` nor `NET_RAW`
    /// dropped).
    ///
    /// Why: raw sockets allow ARP and DNS spoofing against other pods on the node.
    NET_RAW {
        id: "k8s-net-raw-capability",
        title: "Container keeps the NET_RAW capability",
        severity: Severity::Low,
        check: Check::Kubernetes(|o, h| each_container(o, |c, _| {
            if !drops(c, "NET_RAW") {
                h.detail(container_line(c), format!("container `{}`", name(c)));
            }
        })),
        remediation: "Drop `NET_RAW` (or `ALL`) in `securityContext.capabilities.drop`.",
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
        aliases: &["CKV_K8S_28"],
        fail: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      securityContext:\n        capabilities:\n          drop: [CHOWN]\n")],
        pass: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      securityContext:\n        capabilities:\n          drop: [NET_RAW]\n")],
    }
}

rule! {
    /// Flags containers with a writable root filesystem (`readOnlyRootFilesystem` not
    /// true).
    ///
    /// Why: an attacker who gets code execution can modify binaries and drop tools; a
    /// read-only root confines writes to declared volumes.
    WRITABLE_ROOT_FS {
        id: "k8s-writable-root-filesystem",
        title: "Container root filesystem is writable",
        severity: Severity::Low,
        check: Check::Kubernetes(|o, h| each_container(o, |c, _| {
            let ro = c.get("securityContext").and_then(|s| s.get("readOnlyRootFilesystem"));
            if !ro.is_some_and(Node::is_true) {
                h.detail(ro.map(|n| n.line).unwrap_or_else(|| container_line(c)), format!("container `{}`", name(c)));
            }
        })),
        remediation: "Set `securityContext.readOnlyRootFilesystem: true` and mount emptyDir volumes where the application writes.",
        references: &["https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"],
        aliases: &["CKV_K8S_22"],
        fail: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n")],
        pass: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      securityContext:\n        readOnlyRootFilesystem: true\n")],
    }
}

rule! {
    /// Flags workloads whose pod or containers declare no security context at all.
    ///
    /// Why: without one, every setting is the permissive default (root, writable root
    /// filesystem, default capabilities, privilege escalation allowed).
    NO_SECURITY_CONTEXT {
        id: "k8s-security-context-missing",
        title: "Pod or container has no security context",
        severity: Severity::Low,
        check: Check::Kubernetes(|o, h| {
            let Some(spec) = o.pod_spec() else {
                return;
            };
            if spec.get("securityContext").is_none() {
                h.detail(spec.line, "the pod has no securityContext");
            }
            each_container(o, |c, _| {
                if c.get("securityContext").is_none() {
                    h.detail(container_line(c), format!("container `{}` has no securityContext", name(c)));
                }
            });
        }),
        remediation: "Declare `securityContext` on the pod (runAsNonRoot, runAsUser, seccompProfile) and on each container (allowPrivilegeEscalation, readOnlyRootFilesystem, capabilities).",
        references: &["https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"],
        aliases: &["CKV_K8S_29", "CKV_K8S_30"],
        fail: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n")],
        pass: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext:\n    runAsNonRoot: true\n  containers:\n    - name: c\n      securityContext:\n        allowPrivilegeEscalation: false\n")],
    }
}

rule! {
    /// Flags workloads without a seccomp profile (`seccompProfile` of type `RuntimeDefault`
    /// or `Localhost` on the pod or every container, or the legacy pod annotation).
    ///
    /// Why: without seccomp every system call is available, including the rarely used ones
    /// behind most kernel exploits.
    NO_SECCOMP {
        id: "k8s-seccomp-profile-missing",
        title: "Pod has no seccomp profile",
        severity: Severity::Low,
        check: Check::Kubernetes(|o, h| {
            let Some(spec) = o.pod_spec() else {
                return;
            };
            let good = |n: Option<&Node>| {
                n.and_then(|p| p.get("type")).and_then(Node::as_str).is_some_and(|t| t == "RuntimeDefault" || t == "Localhost")
            };
            let annotated = o
                .pod_metadata()
                .and_then(|m| m.get("annotations"))
                .map(Node::entries)
                .unwrap_or_default()
                .iter()
                .any(|(k, v)| k.starts_with("seccomp.security.alpha.kubernetes.io/pod") && v.as_str().is_some_and(|s| s != "unconfined"));
            let pod = good(spec.get("securityContext").and_then(|s| s.get("seccompProfile")));
            let mut all_containers = true;
            each_container(o, |c, _| {
                all_containers &= good(c.get("securityContext").and_then(|s| s.get("seccompProfile")));
            });
            if !(pod || annotated || all_containers) {
                h.at(spec.line);
            }
        }),
        remediation: "Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod.",
        references: &["https://kubernetes.io/docs/tutorials/security/seccomp/"],
        aliases: &["CKV_K8S_31", "CKV_K8S_32"],
        fail: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n")],
        pass: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext:\n    seccompProfile:\n      type: RuntimeDefault\n  containers:\n    - name: c\n")],
    }
}

fn resource(o: &KubeObject, h: &mut Hits, path: &str) {
    each_container(o, |c, _| {
        if c.path(path).is_none_or(Node::is_empty) {
            h.detail(
                container_line(c),
                format!("container `{}` sets no `{path}`", name(c)),
            );
        }
    });
}

rule! {
    /// Flags containers without a CPU limit.
    ///
    /// Why: one container can use all of the node's CPU and starve its neighbours (a
    /// denial of service, or a cryptominer's paradise).
    NO_CPU_LIMIT {
        id: "k8s-cpu-limit-missing",
        title: "Container has no CPU limit",
        severity: Severity::Low,
        check: Check::Kubernetes(|o, h| resource(o, h, "resources.limits.cpu")),
        remediation: "Set `resources.limits.cpu` (or enforce defaults with a LimitRange).",
        references: &["https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/"],
        aliases: &["CKV_K8S_11"],
        fail: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n")],
        pass: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      resources:\n        limits: {cpu: 500m}\n")],
    }
}

rule! {
    /// Flags containers without a memory limit.
    ///
    /// Why: a leak or an attack can exhaust the node's memory and get other pods killed.
    NO_MEMORY_LIMIT {
        id: "k8s-memory-limit-missing",
        title: "Container has no memory limit",
        severity: Severity::Low,
        check: Check::Kubernetes(|o, h| resource(o, h, "resources.limits.memory")),
        remediation: "Set `resources.limits.memory`.",
        references: &["https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/"],
        aliases: &["CKV_K8S_13"],
        fail: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      resources:\n        limits: {cpu: 1}\n")],
        pass: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      resources:\n        limits: {memory: 256Mi}\n")],
    }
}

rule! {
    /// Flags containers without a CPU request.
    ///
    /// Why: the scheduler cannot place the pod sensibly, and under pressure it is the first
    /// to be starved.
    NO_CPU_REQUEST {
        id: "k8s-cpu-request-missing",
        title: "Container has no CPU request",
        severity: Severity::Low,
        check: Check::Kubernetes(|o, h| resource(o, h, "resources.requests.cpu")),
        remediation: "Set `resources.requests.cpu`.",
        references: &["https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/"],
        aliases: &["CKV_K8S_10"],
        fail: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n")],
        pass: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      resources:\n        requests: {cpu: 100m}\n")],
    }
}

rule! {
    /// Flags containers without a memory request.
    ///
    /// Why: the pod may be scheduled on a node without room for it and evicted first under
    /// memory pressure.
    NO_MEMORY_REQUEST {
        id: "k8s-memory-request-missing",
        title: "Container has no memory request",
        severity: Severity::Low,
        check: Check::Kubernetes(|o, h| resource(o, h, "resources.requests.memory")),
        remediation: "Set `resources.requests.memory`.",
        references: &["https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/"],
        aliases: &["CKV_K8S_12"],
        fail: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n")],
        pass: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      resources:\n        requests: {memory: 64Mi}\n")],
    }
}

/// (tag, digest) of an image reference; the tag is `None` when absent.
fn image_parts(image: &str) -> (Option<&str>, bool) {
    let (name, digest) = match image.split_once('@') {
        Some((n, _)) => (n, true),
        None => (image, false),
    };
    let last = name.rsplit('/').next().unwrap_or(name);
    (last.split_once(':').map(|(_, t)| t), digest)
}

fn images(o: &KubeObject, mut f: impl FnMut(&Node, &Node, &str)) {
    each_container(o, |c, _| {
        if let Some(image) = c.get("image") {
            if let Some(text) = image.as_str() {
                f(c, image, text);
            }
        }
    });
}

rule! {
    /// Flags containers whose image has no tag or the `latest` tag (and no digest).
    ///
    /// Why: what runs changes with every push to the registry; deployments are not
    /// reproducible and a compromised or broken image rolls out unnoticed.
    IMAGE_LATEST {
        id: "k8s-image-latest-tag",
        title: "Container image uses the latest tag or no tag",
        severity: Severity::Medium,
        check: Check::Kubernetes(|o, h| images(o, |_, node, image| {
            let (tag, digest) = image_parts(image);
            if !digest && tag.is_none_or(|t| t == "latest") {
                h.detail(node.line, format!("the image is `{image}`"));
            }
        })),
        remediation: "Pin the image to a version tag, better a digest (`image: repo/app:1.4.2@sha256:…`).",
        references: &["https://kubernetes.io/docs/concepts/containers/images/#image-names"],
        aliases: &["CKV_K8S_14"],
        fail: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: nginx\n")],
        pass: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: registry:5000/nginx:1.27.3\n")],
    }
}

rule! {
    /// Flags container images not pinned by digest.
    ///
    /// Why: a tag can be moved to another image; only a digest names exactly the image that
    /// was reviewed and scanned.
    IMAGE_NO_DIGEST {
        id: "k8s-image-not-pinned-by-digest",
        title: "Container image is not pinned by digest",
        severity: Severity::Low,
        check: Check::Kubernetes(|o, h| images(o, |_, node, image| {
            if !image_parts(image).1 {
                h.detail(node.line, format!("the image is `{image}`"));
            }
        })),
        remediation: "Reference images by digest (`@sha256:…`), for example by resolving tags at build time.",
        references: &["https://kubernetes.io/docs/concepts/containers/images/#image-names"],
        aliases: &["CKV_K8S_43"],
        fail: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: nginx:1.27\n")],
        pass: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: nginx@sha256:f152b255ec14aa06ed59fbccae66d9d90f751633b5c2c094b7c810ad53314723\n")],
    }
}

rule! {
    /// Flags containers whose effective image pull policy is not `Always` (set otherwise,
    /// or defaulting to `IfNotPresent` for a version tag).
    ///
    /// Why: with a cached image, a pod started on the node skips the registry's
    /// authorisation check and may run an image the pod's credentials could no longer pull.
    PULL_POLICY {
        id: "k8s-image-pull-policy-not-always",
        title: "Container image pull policy is not Always",
        severity: Severity::Low,
        check: Check::Kubernetes(|o, h| each_container(o, |c, _| {
            let policy = c.get("imagePullPolicy");
            let effective = match policy.and_then(Node::as_str) {
                Some(p) => p.to_string(),
                None => {
                    let image = c.get("image").and_then(Node::as_str).unwrap_or("");
                    let (tag, digest) = image_parts(image);
                    if !digest && tag.is_none_or(|t| t == "latest") { "Always".into() } else { "IfNotPresent".into() }
                }
            };
            if effective != "Always" {
                h.detail(policy.map(|p| p.line).unwrap_or_else(|| container_line(c)), format!("container `{}` pulls `{effective}`", name(c)));
            }
        })),
        remediation: "Set `imagePullPolicy: Always` (or enable the AlwaysPullImages admission controller).",
        references: &["https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy"],
        aliases: &["CKV_K8S_15"],
        fail: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: app:0.1\n")],
        pass: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: app:0.1\n      imagePullPolicy: Always\n")],
    }
}

fn probe(o: &KubeObject, h: &mut Hits, key: &str) {
    if is_job(o) {
        return;
    }
    for c in o
        .pod_spec()
        .and_then(|s| s.get("containers"))
        .into_iter()
        .flat_map(Node::items)
    {
        if c.get(key).is_none() {
            h.detail(
                container_line(c),
                format!("container `{}` has no {key}", name(c)),
            );
        }
    }
}

rule! {
    /// Flags long-running containers (not Jobs) without a liveness probe.
    ///
    /// Why: a hung process keeps its pod "running" forever; the probe lets the kubelet
    /// restart it (an availability concern).
    NO_LIVENESS {
        id: "k8s-liveness-probe-missing",
        title: "Container has no liveness probe",
        severity: Severity::Low,
        check: Check::Kubernetes(|o, h| probe(o, h, "livenessProbe")),
        remediation: "Add a `livenessProbe` (HTTP, TCP or exec).",
        references: &["https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/"],
        aliases: &["CKV_K8S_8"],
        fail: &[("deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers:\n        - name: c\n")],
        pass: &[("deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers:\n        - name: c\n          livenessProbe:\n            httpGet: {path: /healthz, port: 8080}\n")],
    }
}

rule! {
    /// Flags long-running containers (not Jobs) without a readiness probe.
    ///
    /// Why: traffic reaches the pod before it can serve, and keeps reaching it when it
    /// cannot.
    NO_READINESS {
        id: "k8s-readiness-probe-missing",
        title: "Container has no readiness probe",
        severity: Severity::Low,
        check: Check::Kubernetes(|o, h| probe(o, h, "readinessProbe")),
        remediation: "Add a `readinessProbe`.",
        references: &["https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/"],
        aliases: &["CKV_K8S_9"],
        fail: &[("deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers:\n        - name: c\n")],
        pass: &[("deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers:\n        - name: c\n          readinessProbe:\n            tcpSocket: {port: 8080}\n")],
    }
}

rule! {
    /// Flags containers that receive Secrets as environment variables (`secretKeyRef`,
    /// `envFrom.secretRef`).
    ///
    /// Why: environment variables leak into crash reports, debug endpoints, child processes
    /// and `kubectl describe`; mounted files do not.
    SECRET_ENV_REF {
        id: "k8s-secret-in-env",
        title: "Container reads a Secret through environment variables",
        severity: Severity::Low,
        check: Check::Kubernetes(|o, h| each_container(o, |c, _| {
            for e in c.get("env").into_iter().flat_map(Node::items) {
                if let Some(r) = e.path("valueFrom.secretKeyRef") {
                    h.detail(r.line, format!("container `{}` reads a Secret into `{}`", name(c), e.get("name").and_then(Node::as_str).unwrap_or("?")));
                }
            }
            for e in c.get("envFrom").into_iter().flat_map(Node::items) {
                if let Some(r) = e.get("secretRef") {
                    h.detail(r.line, format!("container `{}` loads a Secret into its environment", name(c)));
                }
            }
        })),
        remediation: "Mount the Secret as a read-only volume and read the file.",
        references: &["https://kubernetes.io/docs/concepts/security/secrets-good-practices/"],
        aliases: &["CKV_K8S_35"],
        fail: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      env:\n        - name: KEY\n          valueFrom:\n            secretKeyRef: {name: s, key: k}\n")],
        pass: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      volumeMounts:\n        - {name: s, mountPath: /etc/s, readOnly: true}\n  volumes:\n    - name: s\n      secret: {secretName: s}\n")],
    }
}

rule! {
    /// Flags container environment variables that hold a literal credential (a variable
    /// named like a password, secret, token or key with a literal `value`).
    ///
    /// Why: the credential is stored in the manifest, in the repository and in the API
    /// server unencrypted, visible to anyone who can read the workload.
    ENV_PLAINTEXT_SECRET {
        id: "k8s-env-plaintext-secret",
        title: "Container environment holds a plaintext secret",
        severity: Severity::High,
        check: Check::Kubernetes(|o, h| each_container(o, |c, _| {
            for e in c.get("env").into_iter().flat_map(Node::items) {
                let var = e.get("name").and_then(Node::as_str).unwrap_or("");
                if let Some(v) = e.get("value").filter(|v| is_secret_name(var) && is_literal_value(v)) {
                    h.detail(v.line, format!("container `{}` sets `{var}` to a literal value", name(c)));
                }
            }
        })),
        remediation: "Put the value in a Secret (or an external secret store) and mount it.",
        references: &["https://kubernetes.io/docs/concepts/configuration/secret/"],
        aliases: &[],
        fail: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      env:\n        - name: DB_PASSWORD\n          value: hunter2-hunter2\n")],
        pass: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      env:\n        - name: LOG_LEVEL\n          value: debug\n")],
    }
}

rule! {
    /// Flags pods that mount the service account token automatically
    /// (`automountServiceAccountToken` not false).
    ///
    /// Why: code execution in any container then comes with a Kubernetes API credential.
    TOKEN_AUTOMOUNT {
        id: "k8s-service-account-token-mounted",
        title: "Pod mounts the service account token",
        severity: Severity::Low,
        check: Check::Kubernetes(|o, h| {
            let Some(spec) = o.pod_spec() else {
                return;
            };
            if !spec.get("automountServiceAccountToken").is_some_and(Node::is_false) {
                h.at(spec.line);
            }
        }),
        remediation: "Set `automountServiceAccountToken: false` on pods that do not call the Kubernetes API.",
        references: &["https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting"],
        aliases: &["CKV_K8S_38"],
        fail: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c}]\n")],
        pass: &[("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  automountServiceAccountToken: false\n  containers: [{name: c}]\n")],
    }
}

/// Kinds that live outside namespaces.
const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "Node",
    "PersistentVolume",
    "ClusterRole",
    "ClusterRoleBinding",
    "StorageClass",
    "CustomResourceDefinition",
    "PriorityClass",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "APIService",
    "IngressClass",
    "RuntimeClass",
    "PodSecurityPolicy",
    "CSIDriver",
    "ClusterIssuer",
    "Kustomization",
];

rule! {
    /// Flags namespaced objects placed in the `default` namespace (explicitly, or by having
    /// none).
    ///
    /// Why: `default` is where everything without a home lands; its RBAC, quotas and
    /// network policies are rarely tuned, and workloads there are not isolated from each
    /// other.
    DEFAULT_NAMESPACE {
        id: "k8s-default-namespace",
        title: "Object is in the default namespace",
        severity: Severity::Low,
        check: Check::Kubernetes(|o, h| {
            if CLUSTER_SCOPED.contains(&o.kind.as_str()) {
                return;
            }
            if o.namespace.as_deref().is_none_or(|n| n == "default") {
                h.at(o.doc.get("metadata").map(|m| m.line).unwrap_or(0));
            }
        }),
        remediation: "Set `metadata.namespace` to a dedicated namespace (or apply with `kubectl -n`/Kustomize `namespace:` and say so in the manifest).",
        references: &["https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/"],
        aliases: &["CKV_K8S_21"],
        fail: &[("svc.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports: [{port: 80}]\n")],
        pass: &[("svc.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  namespace: shop\nspec:\n  ports: [{port: 80}]\n")],
    }
}

rule! {
    /// Flags role bindings that grant the `cluster-admin` ClusterRole to anything other than
    /// the system's own groups.
    ///
    /// Why: `cluster-admin` is every permission on every resource; a service account bound
    /// to it turns any compromise of its pods into a cluster compromise.
    CLUSTER_ADMIN_BINDING {
        id: "k8s-cluster-admin-binding",
        title: "Binding grants cluster-admin",
        severity: Severity::High,
        check: Check::Kubernetes(|o, h| {
            if !matches!(o.kind.as_str(), "ClusterRoleBinding" | "RoleBinding") {
                return;
            }
            let Some(role) = o.doc.path("roleRef.name").filter(|n| n.as_str() == Some("cluster-admin")) else {
                return;
            };
            let system_only = o.doc.get("subjects").into_iter().flat_map(Node::items).all(|s| {
                s.get("name").and_then(Node::as_str).is_some_and(|n| n.starts_with("system:"))
            });
            if !system_only {
                h.at(role.line);
            }
        }),
        remediation: "Bind a Role or ClusterRole with only the verbs and resources needed.",
        references: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
        aliases: &[],
        fail: &[("rbac.yaml", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: b}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n  - kind: ServiceAccount\n    name: app\n    namespace: shop\n")],
        pass: &[("rbac.yaml", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: b}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: view\nsubjects:\n  - kind: ServiceAccount\n    name: app\n    namespace: shop\n")],
    }
}

rule! {
    /// Flags Roles and ClusterRoles whose rules use wildcards (`*`) in verbs or resources.
    ///
    /// Why: wildcards grant today's and tomorrow's resources and verbs, including `escalate`,
    /// `bind` and access to Secrets.
    WILDCARD_RBAC {
        id: "k8s-rbac-wildcard",
        title: "Role grants wildcard verbs or resources",
        severity: Severity::Medium,
        check: Check::Kubernetes(|o, h| {
            if !matches!(o.kind.as_str(), "Role" | "ClusterRole") {
                return;
            }
            for rule in o.doc.get("rules").into_iter().flat_map(Node::items) {
                let wild = ["verbs", "resources"].iter().any(|k| rule.get(k).is_some_and(|n| n.has_str("*")));
                if wild {
                    h.at(rule.line);
                }
            }
        }),
        remediation: "List the API groups, resources and verbs the role needs.",
        references: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege"],
        aliases: &["CKV_K8S_49"],
        fail: &[("role.yaml", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules:\n  - apiGroups: ['']\n    resources: ['*']\n    verbs: ['*']\n")],
        pass: &[("role.yaml", "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: shop}\nrules:\n  - apiGroups: ['']\n    resources: [pods]\n    verbs: [get, list]\n")],
    }
}

#[cfg(test)]
mod tests {
    use super::image_parts;

    #[test]
    fn image_references_split_into_tag_and_digest() {
        assert_eq!(image_parts("nginx"), (None, false));
        assert_eq!(image_parts("registry:5000/nginx"), (None, false));
        assert_eq!(image_parts("registry:5000/nginx:1.2"), (Some("1.2"), false));
        assert_eq!(image_parts("nginx@sha256:abc"), (None, true));
    }
}
