-- Staff queues and search at a million orders (issue 21 item 6). Kept by the database itself, so every
-- path that changes an order's status (online steps, counter business, deletion, bulk loads) keeps the
-- counts right without remembering to.

-- Each statement's net change per status, appended (never updated: concurrent transitions do not wait on
-- one counter row). Statement-level, with transition tables, so a bulk INSERT … SELECT costs one row per
-- status, not one per order.
CREATE FUNCTION certdesk_count_order_statuses() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO order_status_counts (status, n) SELECT status, count(*) FROM certdesk_new_orders GROUP BY status;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO order_status_counts (status, n) SELECT status, -count(*) FROM certdesk_old_orders GROUP BY status;
  ELSE
    INSERT INTO order_status_counts (status, n)
      SELECT status, sum(d) FROM (
        SELECT status, 1 AS d FROM certdesk_new_orders
        UNION ALL SELECT status, -1 FROM certdesk_old_orders) c
      GROUP BY status HAVING sum(d) <> 0;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER orders_status_counts_insert AFTER INSERT ON orders
  REFERENCING NEW TABLE AS certdesk_new_orders FOR EACH STATEMENT EXECUTE FUNCTION certdesk_count_order_statuses();
--> statement-breakpoint
CREATE TRIGGER orders_status_counts_update AFTER UPDATE ON orders
  REFERENCING OLD TABLE AS certdesk_old_orders NEW TABLE AS certdesk_new_orders
  FOR EACH STATEMENT EXECUTE FUNCTION certdesk_count_order_statuses();
--> statement-breakpoint
CREATE TRIGGER orders_status_counts_delete AFTER DELETE ON orders
  REFERENCING OLD TABLE AS certdesk_old_orders FOR EACH STATEMENT EXECUTE FUNCTION certdesk_count_order_statuses();
--> statement-breakpoint
-- The orders already there. A table lock, so no order changes between the count and the triggers' first row.
LOCK TABLE orders IN SHARE ROW EXCLUSIVE MODE;
--> statement-breakpoint
INSERT INTO order_status_counts (status, n) SELECT status, count(*) FROM orders GROUP BY status;
--> statement-breakpoint
-- Unit-name search by any fragment (Chinese has no word boundaries, and pg_trgm ignores CJK characters
-- under the C locale PGlite and many servers use): every character and every pair of adjacent characters
-- of the lower-cased name, in a GIN index. A fragment's pairs (or its one character) must all be there;
-- LIKE then checks the order. IMMUTABLE and built only from pg_catalog functions, so the index can use it.
CREATE FUNCTION certdesk_name_grams(t text) RETURNS text[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT g), '{}') FROM (
    SELECT substr(lower(t), i, 1) AS g FROM generate_series(1, char_length(t)) i
    UNION ALL SELECT substr(lower(t), i, 2) FROM generate_series(1, char_length(t) - 1) i) s
$$;
--> statement-breakpoint
-- What a fragment asks of the index: its pairs, or its one character. (Not its single characters as well:
-- 公, 司, 有 are in almost every name and would only make the index read more.)
CREATE FUNCTION certdesk_name_query_grams(t text) RETURNS text[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN char_length(t) < 2 THEN ARRAY[lower(t)]
    ELSE (SELECT coalesce(array_agg(DISTINCT substr(lower(t), i, 2)), '{}') FROM generate_series(1, char_length(t) - 1) i) END
$$;
--> statement-breakpoint
CREATE INDEX organizations_name_grams_idx ON organizations USING gin (certdesk_name_grams(name));
