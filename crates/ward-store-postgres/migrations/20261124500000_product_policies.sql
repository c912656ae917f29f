-- A product's stored gate policy: the ward.toml text the gate applies when a request brings
-- none. Deleting the product deletes it.
CREATE TABLE product_policies (
    product_id BIGINT  PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE,
    policy     TEXT    NOT NULL,
    updated_at BIGINT  NOT NULL
);
