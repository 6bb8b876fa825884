{{/* vim: set filetype=mustache: */}}

{{- define "moneta.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release's full name; object names append a component to it. */}}
{{- define "moneta.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "moneta.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "moneta.labels" -}}
helm.sh/chart: {{ include "moneta.chart" . }}
app.kubernetes.io/name: {{ include "moneta.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: moneta
{{- end -}}

{{/* Selector labels of one component: (dict "root" $ "component" "api"). */}}
{{- define "moneta.selectorLabels" -}}
app.kubernetes.io/name: {{ include "moneta.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "moneta.componentLabels" -}}
{{ include "moneta.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "moneta.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "moneta.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "moneta.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "moneta.secretName" -}}
{{- default (include "moneta.fullname" .) .Values.secrets.existingSecret -}}
{{- end -}}

{{- define "moneta.vitessClusterName" -}}
{{- default (include "moneta.fullname" .) .Values.vitess.cluster.name | trunc 30 | trimSuffix "-" -}}
{{- end -}}

{{- define "moneta.vitessConfigSecretName" -}}
{{- if .Values.vitess.cluster.configSecret.create -}}
{{- printf "%s-vitess-config" (include "moneta.fullname" .) -}}
{{- else -}}
{{- required "vitess.cluster.configSecret.name is required when configSecret.create is false" .Values.vitess.cluster.configSecret.name -}}
{{- end -}}
{{- end -}}

{{- define "moneta.vtctldAddress" -}}
{{- if .Values.vitess.vtctldAddress -}}
{{- .Values.vitess.vtctldAddress -}}
{{- else if .Values.vitess.cluster.enabled -}}
{{- printf "%s-vtctld:15999" (include "moneta.fullname" .) -}}
{{- else -}}
vtctld:15999
{{- end -}}
{{- end -}}

{{- define "moneta.databaseHost" -}}
{{- if .Values.database.host -}}
{{- .Values.database.host -}}
{{- else if .Values.vitess.cluster.enabled -}}
{{- printf "%s-vtgate" (include "moneta.fullname" .) -}}
{{- else -}}
vtgate
{{- end -}}
{{- end -}}

{{/* MONETA_DATABASE_URL when the chart creates the Secret. */}}
{{- define "moneta.databaseUrl" -}}
{{- if .Values.database.url -}}
{{- .Values.database.url -}}
{{- else -}}
{{- $auth := .Values.database.user | urlquery | replace "+" "%20" -}}
{{- if .Values.database.password -}}
{{- $auth = printf "%s:%s" $auth (.Values.database.password | urlquery | replace "+" "%20") -}}
{{- end -}}
{{- printf "mysql://%s@%s:%v/%s" $auth (include "moneta.databaseHost" .) .Values.database.port .Values.database.name -}}
{{- end -}}
{{- end -}}

{{/*
The MONETA_* variables the binary knows: files/settings.txt, which is
`moneta config variables` (ci/chart_check.py fails when they differ). It
refuses any other MONETA_* variable, so the chart never sets one.
*/}}
{{- define "moneta.knownVariables" -}}
{{- .Files.Get "files/settings.txt" | trim | splitList "\n" | join " " -}}
{{- end -}}

{{/*
Fails the render on a MONETA_* variable in extraEnv: the chart sets every
setting from `config`, `secrets`, `database` and `redis` (a second entry
would silently shadow it), and the binary refuses unknown ones.
*/}}
{{- define "moneta.checkExtraEnv" -}}
{{- $known := splitList " " (include "moneta.knownVariables" .root) -}}
{{- range .env -}}
{{- if and (hasPrefix "MONETA_" .name) (not (has .name $known)) -}}
{{- fail (printf "extraEnv: %s is not a Moneta setting; the binary refuses unknown MONETA_* variables" .name) -}}
{{- else if hasPrefix "MONETA_" .name -}}
{{- fail (printf "extraEnv: %s is set by the chart; use the chart's values (config, secrets, database, redis)" .name) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* A secret variable, read from the release's Secret (or existingSecret). */}}
{{- define "moneta.secretEnv" -}}
- name: {{ .key }}
  valueFrom:
    secretKeyRef:
      name: {{ include "moneta.secretName" .root }}
      key: {{ .key }}
{{- end -}}

{{/*
The environment of a Moneta container:
(dict "root" $ "component" "api"|"worker" "values" .Values.api|.Values.worker)
*/}}
{{- define "moneta.env" -}}
{{- $root := .root -}}
{{- $cfg := mergeOverwrite (deepCopy $root.Values.config) (.values.config | default dict) -}}
{{- $extra := concat ($root.Values.extraEnv | default list) (.values.extraEnv | default list) -}}
{{- include "moneta.checkExtraEnv" (dict "root" $root "env" $extra) -}}
- name: MONETA_LISTEN
  value: "0.0.0.0:8000"
- name: MONETA_ENV
  value: {{ $cfg.env | quote }}
- name: MONETA_LOG_FORMAT
  value: {{ $cfg.logFormat | quote }}
- name: MONETA_LOG
  value: {{ $cfg.logFilter | quote }}
- name: MONETA_DATA_DIR
  value: {{ $root.Values.dataVolume.mountPath | quote }}
- name: MONETA_REDIS_PREFIX
  value: {{ $cfg.redisPrefix | quote }}
{{- with $cfg.objectStoreUrl }}
- name: MONETA_OBJECT_STORE_URL
  value: {{ . | quote }}
{{- end }}
- name: MONETA_DATABASE_MAX_CONNECTIONS
  value: {{ $cfg.databaseMaxConnections | quote }}
- name: MONETA_SHUTDOWN_GRACE_SECS
  value: {{ $cfg.shutdownGraceSecs | quote }}
- name: MONETA_CACHE_TTL_SECS
  value: {{ $cfg.cacheTtlSecs | quote }}
- name: MONETA_CACHE_TIMEOUT_MS
  value: {{ $cfg.cacheTimeoutMs | quote }}
- name: MONETA_READ_CACHE
  value: {{ $cfg.readCache | quote }}
{{- with $cfg.institutions }}
- name: MONETA_INSTITUTIONS
  value: {{ . | quote }}
{{- end }}
- name: MONETA_SIMPLEFIN_ORIGINS
  value: {{ $cfg.simplefinOrigins | quote }}
{{- if eq .component "api" }}
- name: MONETA_PASSWORD_HASH_CONCURRENCY
  value: {{ $cfg.passwordHashConcurrency | quote }}
- name: MONETA_MAX_ACCOUNTS_PER_USER
  value: {{ $cfg.maxAccountsPerUser | quote }}
- name: MONETA_COST_BUCKET_POINTS
  value: {{ $cfg.costBucketPoints | quote }}
- name: MONETA_COST_DRAIN_PER_SEC
  value: {{ $cfg.costDrainPerSec | quote }}
- name: MONETA_IMPORT_MAX_MB
  value: {{ $cfg.importMaxMb | quote }}
- name: MONETA_ACCESS_TOKEN_TTL_SECS
  value: {{ $cfg.accessTokenTtlSecs | quote }}
{{- with $cfg.trustedDocuments }}
- name: MONETA_TRUSTED_DOCUMENTS
  value: {{ . | quote }}
{{- end }}
{{- with $cfg.trustedProxies }}
- name: MONETA_TRUSTED_PROXIES
  value: {{ . | quote }}
{{- end }}
{{- end }}
{{- if eq .component "worker" }}
- name: MONETA_WORKER_CONCURRENCY
  value: {{ $cfg.workerConcurrency | quote }}
- name: MONETA_QUEUE_RECLAIM_SECS
  value: {{ $cfg.queueReclaimSecs | quote }}
{{- end }}
{{- with $cfg.otlpEndpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ . | quote }}
- name: OTEL_SERVICE_NAME
  value: {{ printf "moneta-%s" $.component | quote }}
{{- end }}
{{- include "moneta.databaseTlsEnv" $root }}
{{- with $root.Values.redis.tls.caSecret }}
- name: MONETA_REDIS_TLS_CA_FILE
  value: {{ printf "/etc/moneta/redis-ca/%s" $root.Values.redis.tls.caKey | quote }}
{{- end }}
{{ include "moneta.secretEnv" (dict "root" $root "key" "MONETA_DATABASE_URL") }}
{{ include "moneta.secretEnv" (dict "root" $root "key" "MONETA_REDIS_URL") }}
{{ include "moneta.secretEnv" (dict "root" $root "key" "MONETA_JWT_SECRET") }}
{{ include "moneta.secretEnv" (dict "root" $root "key" "MONETA_CREDENTIALS_KEY") }}
{{- with $extra }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* MySQL's TLS settings (the api, the workers and the migrate Job). */}}
{{- define "moneta.databaseTlsEnv" -}}
{{- with .Values.database.tls.mode }}
- name: MONETA_DATABASE_TLS_MODE
  value: {{ . | quote }}
{{- end }}
{{- with .Values.database.tls.caSecret }}
- name: MONETA_DATABASE_TLS_CA_FILE
  value: {{ printf "/etc/moneta/database-ca/%s" $.Values.database.tls.caKey | quote }}
{{- end }}
{{- end -}}

{{/* envFrom: the object store's AWS_* Secret and extraEnvFrom. */}}
{{- define "moneta.envFrom" -}}
{{- if .Values.objectStore.existingSecret }}
- secretRef:
    name: {{ .Values.objectStore.existingSecret }}
{{- end }}
{{- with .Values.extraEnvFrom }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* The grace period must outlast the preStop sleep plus the shutdown grace. */}}
{{- define "moneta.terminationGrace" -}}
{{- $cfg := mergeOverwrite (deepCopy .root.Values.config) (.values.config | default dict) -}}
{{- $min := add (int $cfg.shutdownGraceSecs) (int .root.Values.preStopSleepSeconds) 1 -}}
{{- if .values.terminationGracePeriodSeconds -}}
{{- if lt (int .values.terminationGracePeriodSeconds) (int $min) -}}
{{- fail (printf "terminationGracePeriodSeconds (%v) must exceed shutdownGraceSecs + preStopSleepSeconds (%v)" .values.terminationGracePeriodSeconds (sub $min 1)) -}}
{{- end -}}
{{- .values.terminationGracePeriodSeconds -}}
{{- else -}}
{{- add (int $cfg.shutdownGraceSecs) (int .root.Values.preStopSleepSeconds) 10 -}}
{{- end -}}
{{- end -}}

{{/* Default topology spread: zones, then nodes; never blocks scheduling. */}}
{{- define "moneta.topologySpread" -}}
{{- if .values.topologySpreadConstraints -}}
{{ toYaml .values.topologySpreadConstraints }}
{{- else -}}
- maxSkew: 1
  topologyKey: topology.kubernetes.io/zone
  whenUnsatisfiable: ScheduleAnyway
  labelSelector:
    matchLabels:
      {{- include "moneta.selectorLabels" (dict "root" .root "component" .component) | nindent 6 }}
- maxSkew: 1
  topologyKey: kubernetes.io/hostname
  whenUnsatisfiable: ScheduleAnyway
  labelSelector:
    matchLabels:
      {{- include "moneta.selectorLabels" (dict "root" .root "component" .component) | nindent 6 }}
{{- end -}}
{{- end -}}

{{/* Volumes shared by every Moneta pod. */}}
{{- define "moneta.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpVolume.sizeLimit }}
- name: data
  emptyDir:
    sizeLimit: {{ .Values.dataVolume.sizeLimit }}
{{- with .Values.redis.tls.caSecret }}
- name: redis-ca
  secret:
    secretName: {{ . }}
{{- end }}
{{- with .Values.database.tls.caSecret }}
- name: database-ca
  secret:
    secretName: {{ . }}
{{- end }}
{{- end -}}

{{- define "moneta.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: data
  mountPath: {{ .Values.dataVolume.mountPath }}
{{- if .Values.redis.tls.caSecret }}
- name: redis-ca
  mountPath: /etc/moneta/redis-ca
  readOnly: true
{{- end }}
{{- if .Values.database.tls.caSecret }}
- name: database-ca
  mountPath: /etc/moneta/database-ca
  readOnly: true
{{- end }}
{{- end -}}
