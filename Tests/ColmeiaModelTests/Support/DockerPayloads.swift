/// Request and response bodies as the docker CLI and dockerd write them (written by hand from
/// the Engine API's swagger definitions and the CLI's `ToService`).
enum DockerPayloads {
    /// `docker service create --name web --replicas 3 --publish 8080:80
    /// --constraint node.role==manager --update-parallelism 2 --restart-condition on-failure
    /// nginx:alpine` → `POST /v1.47/services/create`.
    static let serviceCreate = """
        {
          "Name": "web",
          "Labels": {},
          "TaskTemplate": {
            "ContainerSpec": {
              "Image": "nginx:alpine@sha256:65645c7bb6a0661892a8b03b89d0743208a18dd2f3f17a54ef4b76fb8e2f2a10",
              "Init": false,
              "DNSConfig": {},
              "Isolation": "default"
            },
            "Resources": {"Limits": {}, "Reservations": {}},
            "RestartPolicy": {"Condition": "on-failure", "Delay": 5000000000, "MaxAttempts": 0},
            "Placement": {"Constraints": ["node.role==manager"]},
            "ForceUpdate": 0,
            "Runtime": "container"
          },
          "Mode": {"Replicated": {"Replicas": 3}},
          "UpdateConfig": {
            "Parallelism": 2,
            "FailureAction": "pause",
            "Monitor": 5000000000,
            "MaxFailureRatio": 0,
            "Order": "stop-first"
          },
          "EndpointSpec": {
            "Mode": "vip",
            "Ports": [{"Protocol": "tcp", "TargetPort": 80, "PublishedPort": 8080, "PublishMode": "ingress"}]
          }
        }
        """

    /// A fuller create body (secrets, configs, mounts, health check, resources, networks,
    /// log driver, preferences, rollback) with members Colmeia does not model:
    /// `Privileges`, `CredentialSpec`, `FutureOption` and friends.
    static let serviceCreateFull = """
        {
          "Name": "api",
          "Labels": {"com.docker.stack.namespace": "shop"},
          "TaskTemplate": {
            "ContainerSpec": {
              "Image": "registry.example.com:5000/shop/api:1.4.2",
              "Labels": {"tier": "backend"},
              "Command": ["/bin/api"],
              "Args": ["--port", "8080"],
              "Hostname": "{{.Service.Name}}-{{.Task.Slot}}",
              "Env": ["MODE=production", "LOG=info"],
              "Dir": "/srv",
              "User": "1000:1000",
              "Groups": ["video"],
              "Privileges": {"CredentialSpec": null, "SELinuxContext": null, "NoNewPrivileges": true, "Seccomp": {"Mode": "default"}},
              "Init": true,
              "StopSignal": "SIGTERM",
              "ReadOnly": true,
              "Mounts": [
                {"Type": "volume", "Source": "data", "Target": "/data", "VolumeOptions": {"NoCopy": true, "Labels": {"backup": "daily"}, "DriverConfig": {"Name": "local"}}},
                {"Type": "bind", "Source": "/etc/ssl", "Target": "/etc/ssl", "ReadOnly": true, "BindOptions": {"Propagation": "rprivate", "CreateMountpoint": true}},
                {"Type": "tmpfs", "Target": "/tmp", "TmpfsOptions": {"SizeBytes": 67108864, "Mode": 1023, "Options": [["noexec"]]}}
              ],
              "StopGracePeriod": 30000000000,
              "Healthcheck": {"Test": ["CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"], "Interval": 10000000000, "Timeout": 3000000000, "Retries": 3, "StartPeriod": 5000000000},
              "Hosts": ["10.0.0.1 db.local"],
              "DNSConfig": {"Nameservers": ["8.8.8.8"], "Search": ["example.com"], "Options": ["ndots:2"]},
              "Secrets": [{"File": {"Name": "db_password", "UID": "0", "GID": "0", "Mode": 292}, "SecretID": "3hv8pa9zbnf0pd2c3z4ctk5sp", "SecretName": "db_password"}],
              "Configs": [
                {"File": {"Name": "/etc/api.toml", "UID": "0", "GID": "0", "Mode": 292}, "ConfigID": "9rj6zkqpu0y0b1wxr4cdq1n6c", "ConfigName": "api_config"},
                {"Runtime": {}, "ConfigID": "k2ih1fxjhyp8sm7cz2zn2k9pm", "ConfigName": "credspec"}
              ],
              "Isolation": "default",
              "Sysctls": {"net.core.somaxconn": "1024"},
              "CapabilityAdd": ["CAP_NET_ADMIN"],
              "CapabilityDrop": ["CAP_MKNOD"],
              "Ulimits": [{"Name": "nofile", "Hard": 65536, "Soft": 32768}],
              "OomScoreAdj": -500,
              "FutureOption": {"Nested": [1, 2.5, "three", null, true, {"deep": 18446744073709551615}]}
            },
            "Resources": {
              "Limits": {"NanoCPUs": 1500000000, "MemoryBytes": 536870912, "Pids": 100},
              "Reservations": {"NanoCPUs": 250000000, "MemoryBytes": 134217728, "GenericResources": [{"DiscreteResourceSpec": {"Kind": "gpu", "Value": 1}}]},
              "SwapBytes": 0
            },
            "RestartPolicy": {"Condition": "any", "Delay": 5000000000, "MaxAttempts": 3, "Window": 120000000000},
            "Placement": {
              "Constraints": ["node.labels.zone!=east", "engine.labels.os==linux"],
              "Preferences": [{"Spread": {"SpreadDescriptor": "node.labels.datacenter"}}],
              "MaxReplicas": 2,
              "Platforms": [{"Architecture": "amd64", "OS": "linux"}]
            },
            "Networks": [{"Target": "shop_backend", "Aliases": ["api"], "DriverOpts": {"com.docker.network.driver.mtu": "1400"}}],
            "LogDriver": {"Name": "json-file", "Options": {"max-size": "10m"}},
            "ForceUpdate": 2,
            "Runtime": "container"
          },
          "Mode": {"Replicated": {"Replicas": 6}},
          "UpdateConfig": {"Parallelism": 2, "Delay": 10000000000, "FailureAction": "rollback", "Monitor": 30000000000, "MaxFailureRatio": 0.25, "Order": "start-first"},
          "RollbackConfig": {"Parallelism": 1, "FailureAction": "pause", "Monitor": 5000000000, "MaxFailureRatio": 0, "Order": "stop-first"},
          "EndpointSpec": {
            "Mode": "vip",
            "Ports": [
              {"Name": "http", "Protocol": "tcp", "TargetPort": 8080, "PublishedPort": 80, "PublishMode": "ingress"},
              {"Protocol": "udp", "TargetPort": 5353, "PublishedPort": 5353, "PublishMode": "host"}
            ]
          }
        }
        """

    /// `GET /services/{id}` as dockerd answers it.
    static let serviceInspect = """
        {
          "ID": "9mnpnzenvg8p8tdbtq4wvbkcz",
          "Version": {"Index": 19},
          "CreatedAt": "2016-06-07T21:05:51.880065305Z",
          "UpdatedAt": "2016-06-07T21:07:29.962229872Z",
          "Spec": {
            "Name": "hopeful_cori",
            "Labels": {},
            "TaskTemplate": {
              "ContainerSpec": {"Image": "redis:7", "Init": false},
              "Resources": {"Limits": {}, "Reservations": {}},
              "RestartPolicy": {"Condition": "any", "Delay": 5000000000, "MaxAttempts": 0},
              "Placement": {},
              "ForceUpdate": 0,
              "Runtime": "container"
            },
            "Mode": {"Replicated": {"Replicas": 1}},
            "UpdateConfig": {"Parallelism": 1, "Delay": 1000000000, "FailureAction": "pause", "Monitor": 15000000000, "MaxFailureRatio": 0.15, "Order": "stop-first"},
            "RollbackConfig": {"Parallelism": 1, "Delay": 1000000000, "FailureAction": "pause", "Monitor": 15000000000, "MaxFailureRatio": 0.15, "Order": "stop-first"},
            "EndpointSpec": {"Mode": "vip", "Ports": [{"Protocol": "tcp", "TargetPort": 6379, "PublishedPort": 30001, "PublishMode": "ingress"}]}
          },
          "Endpoint": {
            "Spec": {"Mode": "vip", "Ports": [{"Protocol": "tcp", "TargetPort": 6379, "PublishedPort": 30001, "PublishMode": "ingress"}]},
            "Ports": [{"Protocol": "tcp", "TargetPort": 6379, "PublishedPort": 30001, "PublishMode": "ingress"}],
            "VirtualIPs": [
              {"NetworkID": "4qvuz4ko70xaltuqbt8956gd1", "Addr": "10.255.0.2/16"},
              {"NetworkID": "4qvuz4ko70xaltuqbt8956gd1", "Addr": "10.255.0.3/16"}
            ]
          },
          "UpdateStatus": {"State": "completed", "StartedAt": "2016-06-07T21:06:13.01Z", "CompletedAt": "2016-06-07T21:07:29.96Z", "Message": "update completed"},
          "ServiceStatus": {"RunningTasks": 1, "DesiredTasks": 1, "CompletedTasks": 0}
        }
        """

    /// `GET /tasks/{id}`.
    static let taskInspect = """
        {
          "ID": "0kzzo1i0y4jz6027t0k7aezc7",
          "Version": {"Index": 71},
          "CreatedAt": "2016-06-07T21:07:31.171892745Z",
          "UpdatedAt": "2016-06-07T21:07:31.376370513Z",
          "Labels": {},
          "Spec": {
            "ContainerSpec": {"Image": "redis:7", "Init": false},
            "Resources": {"Limits": {}, "Reservations": {}},
            "RestartPolicy": {"Condition": "any", "Delay": 5000000000, "MaxAttempts": 0},
            "Placement": {},
            "ForceUpdate": 0
          },
          "ServiceID": "9mnpnzenvg8p8tdbtq4wvbkcz",
          "Slot": 1,
          "NodeID": "60gvrl6tm78dmak4yl7srz94v",
          "Status": {
            "Timestamp": "2016-06-07T21:07:31.290032978Z",
            "State": "running",
            "Message": "started",
            "ContainerStatus": {"ContainerID": "e5d62702a1b48d01c3e02ca1e0212a250801fa8d67caca0b6f35919ebc12f035", "PID": 677, "ExitCode": 0},
            "PortStatus": {}
          },
          "DesiredState": "running",
          "NetworksAttachments": [
            {
              "Network": {
                "ID": "4qvuz4ko70xaltuqbt8956gd1",
                "Version": {"Index": 18},
                "CreatedAt": "2016-06-07T20:31:11.912919752Z",
                "UpdatedAt": "2016-06-07T21:07:29.955277358Z",
                "Spec": {
                  "Name": "ingress",
                  "Labels": {"com.docker.swarm.internal": "true"},
                  "DriverConfiguration": {},
                  "Ingress": true,
                  "IPAMOptions": {"Driver": {}, "Configs": [{"Subnet": "10.255.0.0/16", "Gateway": "10.255.0.1"}]},
                  "Scope": "swarm"
                },
                "DriverState": {"Name": "overlay", "Options": {"com.docker.network.driver.overlay.vxlanid_list": "256"}},
                "IPAMOptions": {"Driver": {"Name": "default"}, "Configs": [{"Subnet": "10.255.0.0/16", "Gateway": "10.255.0.1"}]}
              },
              "Addresses": ["10.255.0.10/16"]
            }
          ],
          "AssignedGenericResources": [{"DiscreteResourceSpec": {"Kind": "ssd", "Value": 1}}]
        }
        """

    /// `GET /nodes/{id}` for a manager.
    static let nodeInspect = """
        {
          "ID": "24ifsmvkjbyhk",
          "Version": {"Index": 8},
          "CreatedAt": "2016-06-07T20:31:11.853781916Z",
          "UpdatedAt": "2016-06-07T20:31:11.999868824Z",
          "Spec": {"Name": "my-node", "Role": "manager", "Availability": "active", "Labels": {"foo": "bar"}},
          "Description": {
            "Hostname": "bf3067039e47",
            "Platform": {"Architecture": "x86_64", "OS": "linux"},
            "Resources": {"NanoCPUs": 4000000000, "MemoryBytes": 8272408576, "GenericResources": [{"NamedResourceSpec": {"Kind": "GPU", "Value": "UUID1"}}]},
            "Engine": {
              "EngineVersion": "27.3.1",
              "Labels": {"foo": "bar"},
              "Plugins": [{"Type": "Log", "Name": "json-file"}, {"Type": "Network", "Name": "overlay"}, {"Type": "Volume", "Name": "local"}]
            },
            "TLSInfo": {
              "TrustRoot": "-----BEGIN CERTIFICATE-----\\nMIIBazCCARCgAwIBAgIUOzgqU4tA2q5Yv1HnkzhSIwGyIBswCgYIKoZIzj0EAwIw\\n-----END CERTIFICATE-----\\n",
              "CertIssuerSubject": "MBMxETAPBgNVBAMTCHN3YXJtLWNh",
              "CertIssuerPublicKey": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWg=="
            },
            "CSIInfo": [{"PluginName": "csi.example", "NodeID": "node-1", "MaxVolumesPerNode": 10}]
          },
          "Status": {"State": "ready", "Addr": "172.17.0.2"},
          "ManagerStatus": {"Leader": true, "Reachability": "reachable", "Addr": "10.0.0.46:2377"}
        }
        """

    /// `GET /swarm`.
    static let swarmInspect = """
        {
          "ID": "abajmipo7b4xz5ip2nrla6b11",
          "Version": {"Index": 373531},
          "CreatedAt": "2016-08-18T10:44:24.496525531Z",
          "UpdatedAt": "2017-08-09T07:09:37.632105588Z",
          "Spec": {
            "Name": "default",
            "Labels": {"com.example.corp.type": "production"},
            "Orchestration": {"TaskHistoryRetentionLimit": 10},
            "Raft": {"SnapshotInterval": 10000, "KeepOldSnapshots": 0, "LogEntriesForSlowFollowers": 500, "ElectionTick": 3, "HeartbeatTick": 1},
            "Dispatcher": {"HeartbeatPeriod": 5000000000},
            "CAConfig": {
              "NodeCertExpiry": 7776000000000000,
              "ExternalCAs": [{"Protocol": "cfssl", "URL": "https://ca.example.com", "CACert": ""}]
            },
            "TaskDefaults": {"LogDriver": {"Name": "json-file", "Options": {"max-file": "10", "max-size": "100m"}}},
            "EncryptionConfig": {"AutoLockManagers": false}
          },
          "TLSInfo": {"TrustRoot": "-----BEGIN CERTIFICATE-----\\n-----END CERTIFICATE-----\\n", "CertIssuerSubject": "MBMxETAPBgNVBAMTCHN3YXJtLWNh", "CertIssuerPublicKey": "MFkwEwYHKoZIzj0CAQY="},
          "RootRotationInProgress": false,
          "DefaultAddrPool": ["10.10.0.0/16", "20.20.0.0/16"],
          "SubnetSize": 24,
          "DataPathPort": 4789,
          "JoinTokens": {
            "Worker": "SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-1awxwuwd3z9j1z3puu7rcgdbx",
            "Manager": "SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-7p73s1dx5in4tatdymyhg9hu2"
          }
        }
        """

    /// `GET /networks/{id}` for an overlay network.
    static let networkInspect = """
        {
          "Name": "shop_backend",
          "Id": "7d86d31b1478e7cca9ebed7e73aa0fdeec46c5ca29497431d3007d2d9e15ed99",
          "Created": "2016-10-19T04:33:30.360899459Z",
          "Scope": "swarm",
          "Driver": "overlay",
          "EnableIPv4": true,
          "EnableIPv6": false,
          "IPAM": {"Driver": "default", "Options": {}, "Config": [{"Subnet": "10.0.9.0/24", "Gateway": "10.0.9.1"}]},
          "Internal": false,
          "Attachable": true,
          "Ingress": false,
          "ConfigFrom": {"Network": ""},
          "ConfigOnly": false,
          "Containers": {},
          "Options": {"com.docker.network.driver.overlay.vxlanid_list": "4097"},
          "Labels": {"com.docker.stack.namespace": "shop"},
          "Peers": [{"Name": "6869d7c1732b", "IP": "10.133.77.91"}]
        }
        """

    /// `docker network create -d overlay --attachable --subnet 10.0.9.0/24 shop_backend`.
    static let networkCreate = """
        {
          "Name": "shop_backend",
          "Driver": "overlay",
          "Scope": "",
          "IPAM": {"Driver": "default", "Options": {}, "Config": [{"Subnet": "10.0.9.0/24"}]},
          "Internal": false,
          "Attachable": true,
          "Ingress": false,
          "ConfigOnly": false,
          "Options": {},
          "Labels": {},
          "CheckDuplicate": true
        }
        """

    /// `docker secret create db_password -` with "s3cr3t!" on stdin.
    static let secretCreate = """
        {"Name": "db_password", "Labels": {}, "Data": "czNjcjN0IQ=="}
        """

    /// `GET /secrets/{id}` as dockerd answers it (no data).
    static let secretInspect = """
        {
          "ID": "ktnbjxoalbkvbvedmg1urrz8h",
          "Version": {"Index": 11},
          "CreatedAt": "2016-11-05T01:20:17.327670065Z",
          "UpdatedAt": "2016-11-05T01:20:17.327670065Z",
          "Spec": {"Name": "app-dev.crt", "Labels": {"foo": "bar"}, "Driver": {"Name": "secret-bucket", "Options": {"OptionA": "value for driver option A"}}}
        }
        """

    /// `GET /configs/{id}`.
    static let configInspect = """
        {
          "ID": "ktnbjxoalbkvbvedmg1urrz8h",
          "Version": {"Index": 11},
          "CreatedAt": "2016-11-05T01:20:17.327670065Z",
          "UpdatedAt": "2016-11-05T01:20:17.327670065Z",
          "Spec": {"Name": "server.conf", "Labels": {}, "Data": "VEhJUyBJUyBOT1QgQSBSRUFMIENFUlRJRklDQVRFCg==", "Templating": {"Name": "golang"}}
        }
        """
}
