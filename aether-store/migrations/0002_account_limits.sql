-- Rate and concurrency limits of users and client keys, enforced on admission (NULL: unlimited).
ALTER TABLE users ADD COLUMN rpm BIGINT;
ALTER TABLE users ADD COLUMN tpm BIGINT;
ALTER TABLE users ADD COLUMN max_concurrency BIGINT;
ALTER TABLE client_keys ADD COLUMN rpm BIGINT;
ALTER TABLE client_keys ADD COLUMN tpm BIGINT;
ALTER TABLE client_keys ADD COLUMN max_concurrency BIGINT;
