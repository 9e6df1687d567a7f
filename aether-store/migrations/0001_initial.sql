-- Aether's schema. Portable SQL where it can be: ids are INTEGER PRIMARY KEY (SQLite assigns them; the
-- PostgreSQL migrations use identity columns), money is TEXT (exact decimals), times are BIGINT
-- milliseconds since the Unix epoch, lists and nested values are JSON in TEXT.

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    email TEXT UNIQUE,
    password_hash TEXT,
    role TEXT NOT NULL,
    allowed_providers TEXT,
    allowed_models TEXT,
    allowed_formats TEXT,
    quota TEXT,
    spent TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL
);

-- A client key without a user is a standalone prepaid key: its quota is its balance.
CREATE TABLE client_keys (
    id INTEGER PRIMARY KEY,
    user_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE, -- hex SHA-256 of the key; the key itself is never stored
    prefix TEXT NOT NULL,
    allowed_providers TEXT,
    allowed_models TEXT,
    allowed_formats TEXT,
    model_capabilities TEXT NOT NULL,
    quota TEXT,
    spent TEXT NOT NULL,
    expires_at BIGINT,
    enabled BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX client_keys_user ON client_keys (user_id);

CREATE TABLE providers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    priority INTEGER NOT NULL,
    monthly_budget_micros BIGINT,
    enabled BOOLEAN NOT NULL
);

CREATE TABLE endpoints (
    id INTEGER PRIMARY KEY,
    provider_id BIGINT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    format TEXT NOT NULL,
    base_url TEXT NOT NULL,
    headers TEXT NOT NULL,
    connect_timeout_ms BIGINT,
    first_byte_timeout_ms BIGINT,
    idle_timeout_ms BIGINT,
    total_timeout_ms BIGINT,
    proxy TEXT,
    rpm BIGINT,
    tpm BIGINT,
    max_concurrency BIGINT,
    enabled BOOLEAN NOT NULL
);
CREATE INDEX endpoints_provider ON endpoints (provider_id);

CREATE TABLE provider_keys (
    id INTEGER PRIMARY KEY,
    provider_id BIGINT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    endpoint_id BIGINT REFERENCES endpoints (id) ON DELETE CASCADE,
    secret TEXT NOT NULL, -- AES-256-GCM: "v1:" + hex(nonce || ciphertext)
    priority INTEGER NOT NULL,
    global_priority INTEGER NOT NULL,
    weight BIGINT,
    rpm BIGINT,
    tpm BIGINT,
    max_concurrency BIGINT,
    capabilities BIGINT NOT NULL,
    force_capabilities BIGINT NOT NULL,
    rate_multiplier_micros BIGINT NOT NULL,
    cache_ttl_ms BIGINT NOT NULL,
    expires_at BIGINT,
    enabled BOOLEAN NOT NULL
);
CREATE INDEX provider_keys_provider ON provider_keys (provider_id);
CREATE INDEX provider_keys_endpoint ON provider_keys (endpoint_id);

CREATE TABLE global_models (
    name TEXT PRIMARY KEY,
    aliases TEXT NOT NULL,
    vision BOOLEAN NOT NULL,
    reasoning BOOLEAN NOT NULL,
    context_window BIGINT NOT NULL,
    long_context_window BIGINT
);

-- The feature columns are all NULL or all set (context_window says which).
CREATE TABLE models (
    global_name TEXT NOT NULL REFERENCES global_models (name) ON DELETE CASCADE,
    provider_id BIGINT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    upstream_name TEXT NOT NULL,
    vision BOOLEAN,
    reasoning BOOLEAN,
    context_window BIGINT,
    long_context_window BIGINT,
    PRIMARY KEY (global_name, provider_id)
);
CREATE INDEX models_provider ON models (provider_id);

CREATE TABLE model_mappings (
    global_name TEXT NOT NULL,
    provider_id BIGINT NOT NULL,
    position INTEGER NOT NULL,
    endpoint_id BIGINT NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
    upstream_name TEXT,
    PRIMARY KEY (global_name, provider_id, position),
    FOREIGN KEY (global_name, provider_id) REFERENCES models (global_name, provider_id) ON DELETE CASCADE
);
CREATE INDEX model_mappings_endpoint ON model_mappings (endpoint_id);

CREATE TABLE price_schedules (
    model TEXT NOT NULL,
    effective_from BIGINT NOT NULL,
    per_request TEXT NOT NULL,
    tiers TEXT NOT NULL,
    PRIMARY KEY (model, effective_from)
);

CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- request_id is the hyphenated lower-case UUID: it sorts as the UUID does.
CREATE TABLE usage_records (
    request_id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    user_id BIGINT,
    client_key_id BIGINT,
    provider_id BIGINT,
    endpoint_id BIGINT,
    provider_key_id BIGINT,
    client_format TEXT NOT NULL,
    upstream_format TEXT,
    model TEXT NOT NULL,
    upstream_model TEXT,
    input_tokens BIGINT NOT NULL,
    output_tokens BIGINT NOT NULL,
    cache_read_tokens BIGINT NOT NULL,
    cache_write_5m_tokens BIGINT NOT NULL,
    cache_write_1h_tokens BIGINT NOT NULL,
    reasoning_tokens BIGINT NOT NULL,
    estimated BOOLEAN NOT NULL,
    list_total TEXT,   -- NULL: unpriced
    actual_total TEXT, -- NULL: unpriced
    cost TEXT,         -- the whole breakdown as JSON; NULL: unpriced
    status INTEGER NOT NULL,
    error_kind TEXT,
    latency_ms BIGINT NOT NULL,
    first_byte_ms BIGINT,
    stream BOOLEAN NOT NULL
);
CREATE INDEX usage_records_at ON usage_records (at, request_id);
CREATE INDEX usage_records_user ON usage_records (user_id, at, request_id);
CREATE INDEX usage_records_key ON usage_records (client_key_id, at, request_id);

CREATE TABLE traces (
    request_id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    client_key_id BIGINT NOT NULL,
    format TEXT NOT NULL,
    model TEXT NOT NULL,
    entries TEXT NOT NULL -- JSON: every candidate, in order
);
CREATE INDEX traces_at ON traces (at);
