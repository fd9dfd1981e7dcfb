-- pqlengine <version> SQL export, dialect duckdb, generated <wall-clock>
-- project taskly, definition activation, version 77471bfbdeb0 (content hash, as `pql check` prints it)
-- as of: 2026-11-01T00:00:00Z
-- reads: events, users, accounts, conversions
-- expects: timestamps TIMESTAMP holding UTC
-- semantics: pqlengine's docs/semantics.md; the engine's results are the reference
--
-- qualified_entities: criterion_<i>_at are the criteria in order:
--   criterion_0_at = invited (Invited Member ≥ 1)
--   criterion_1_at = docs (Created Document ≥ 2)
--   criterion_2_at = shared (Shared Document ≥ 1)
--   criterion_3_at = assets (Uploaded Asset ≥ 3)
--   criterion_4_at = tasks (Added Task (filtered) ≥ 3)
--   criterion_5_at = calendar (Created Calendar ≥ 1)
--
-- cohort_metrics: cohorts by month of signup_at (weeks start Monday 00:00 UTC,
-- ISO labels like 2026-W02; months like 2026-01); complete = as_of >= cohort end
-- + 30 observation days. The rates and their 95% intervals come from
-- these sufficient statistics, k successes out of n:
--   pql_rate = pqls / signups; pql_to_paid = converted_pqls / pqls;
--   non_pql_to_paid = non_pql_converted / non_pql_signups; no rate when n = 0.
--   Wilson score interval with z = 1.959964 and p = k / n:
--     centre = (p + z^2 / (2n)) / (1 + z^2 / n)
--     half   = z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / (4 n^2))
--     interval = [max(0, centre - half), min(1, centre + half)]
-- time_to_pql_days_*: quantiles (linear interpolation, type 7) of
--   qualified_at - signup_at in days, over the PQLs.

-- qualified_entities: one row per entity: signup, conversion, criteria, fit, qualified_at, status
WITH "t30" AS (
  SELECT
    *
  FROM (
    SELECT
      "t17"."account_id" AS "entity_id",
      "t17"."ts"
    FROM (
      SELECT
        "t16".*
        EXCLUDE ("_pql_copy")
      FROM (
        SELECT
          *
        FROM (
          SELECT
            "t1"."event_id",
            "t1"."user_id",
            "t1"."account_id",
            "t1"."event",
            "t1"."ts",
            "t1"."properties",
            ROW_NUMBER() OVER (
              PARTITION BY "t1"."event_id"
              ORDER BY "t1"."ts" ASC, "t1"."user_id" ASC, "t1"."account_id" ASC, "t1"."event" ASC, CAST("t1"."properties" AS TEXT) ASC
              ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
            ) - 1 AS "_pql_copy"
          FROM "events" AS "t1"
        ) AS "t14"
        WHERE
          (
            "t14"."_pql_copy" = 0
          ) OR (
            "t14"."event_id" IS NULL
          )
      ) AS "t16"
    ) AS "t17"
    WHERE
      "t17"."ts" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
      AND "t17"."account_id" IS NOT NULL
  ) AS "t18"
  UNION ALL
  SELECT
    *
  FROM (
    SELECT
      "t9"."member_account" AS "entity_id",
      "t24"."ts"
    FROM (
      SELECT
        "t17"."user_id",
        "t17"."account_id",
        "t17"."ts"
      FROM (
        SELECT
          "t16".*
          EXCLUDE ("_pql_copy")
        FROM (
          SELECT
            *
          FROM (
            SELECT
              "t1"."event_id",
              "t1"."user_id",
              "t1"."account_id",
              "t1"."event",
              "t1"."ts",
              "t1"."properties",
              ROW_NUMBER() OVER (
                PARTITION BY "t1"."event_id"
                ORDER BY "t1"."ts" ASC, "t1"."user_id" ASC, "t1"."account_id" ASC, "t1"."event" ASC, CAST("t1"."properties" AS TEXT) ASC
                ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
              ) - 1 AS "_pql_copy"
            FROM "events" AS "t1"
          ) AS "t14"
          WHERE
            (
              "t14"."_pql_copy" = 0
            ) OR (
              "t14"."event_id" IS NULL
            )
        ) AS "t16"
      ) AS "t17"
      WHERE
        "t17"."ts" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
        AND "t17"."account_id" IS NULL
    ) AS "t24"
    INNER JOIN (
      SELECT
        "t2"."user_id" AS "member_id",
        "t2"."account_id" AS "member_account"
      FROM "users" AS "t2"
      WHERE
        "t2"."account_id" IS NOT NULL
    ) AS "t9"
      ON "t24"."user_id" = "t9"."member_id"
  ) AS "t27"
), "t37" AS (
  SELECT
    "t31"."entity_id",
    MIN("t31"."ts") AS "first_event_at",
    MIN("t31"."ts") FILTER(WHERE
      "t31"."event" = 'Subscription Started') AS "converted_at"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t17"."account_id" AS "entity_id",
        "t17"."event",
        "t17"."ts"
      FROM (
        SELECT
          "t16".*
          EXCLUDE ("_pql_copy")
        FROM (
          SELECT
            *
          FROM (
            SELECT
              "t1"."event_id",
              "t1"."user_id",
              "t1"."account_id",
              "t1"."event",
              "t1"."ts",
              "t1"."properties",
              ROW_NUMBER() OVER (
                PARTITION BY "t1"."event_id"
                ORDER BY "t1"."ts" ASC, "t1"."user_id" ASC, "t1"."account_id" ASC, "t1"."event" ASC, CAST("t1"."properties" AS TEXT) ASC
                ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
              ) - 1 AS "_pql_copy"
            FROM "events" AS "t1"
          ) AS "t14"
          WHERE
            (
              "t14"."_pql_copy" = 0
            ) OR (
              "t14"."event_id" IS NULL
            )
        ) AS "t16"
      ) AS "t17"
      WHERE
        "t17"."ts" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
        AND "t17"."account_id" IS NOT NULL
    ) AS "t20"
    UNION ALL
    SELECT
      *
    FROM (
      SELECT
        "t9"."member_account" AS "entity_id",
        "t25"."event",
        "t25"."ts"
      FROM (
        SELECT
          "t17"."user_id",
          "t17"."account_id",
          "t17"."event",
          "t17"."ts"
        FROM (
          SELECT
            "t16".*
            EXCLUDE ("_pql_copy")
          FROM (
            SELECT
              *
            FROM (
              SELECT
                "t1"."event_id",
                "t1"."user_id",
                "t1"."account_id",
                "t1"."event",
                "t1"."ts",
                "t1"."properties",
                ROW_NUMBER() OVER (
                  PARTITION BY "t1"."event_id"
                  ORDER BY "t1"."ts" ASC, "t1"."user_id" ASC, "t1"."account_id" ASC, "t1"."event" ASC, CAST("t1"."properties" AS TEXT) ASC
                  ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                ) - 1 AS "_pql_copy"
              FROM "events" AS "t1"
            ) AS "t14"
            WHERE
              (
                "t14"."_pql_copy" = 0
              ) OR (
                "t14"."event_id" IS NULL
              )
          ) AS "t16"
        ) AS "t17"
        WHERE
          "t17"."ts" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
          AND "t17"."account_id" IS NULL
      ) AS "t25"
      INNER JOIN (
        SELECT
          "t2"."user_id" AS "member_id",
          "t2"."account_id" AS "member_account"
        FROM "users" AS "t2"
        WHERE
          "t2"."account_id" IS NOT NULL
      ) AS "t9"
        ON "t25"."user_id" = "t9"."member_id"
    ) AS "t28"
  ) AS "t31"
  GROUP BY
    1
), "t53" AS (
  SELECT
    "t52"."entity_id",
    COALESCE("t52"."signup_0", "t52"."signup_1", "t44"."first_event_at") AS "signup_at",
    "t45"."converted_at"
  FROM (
    SELECT
      "t50"."entity_id",
      "t50"."signup_0",
      "t50"."signup_1"
    FROM (
      SELECT
        "t49"."entity_id",
        "t49"."signup_0",
        "t15"."id_1",
        "t15"."signup_1"
      FROM (
        SELECT
          "t47"."entity_id",
          "t47"."signup_0"
        FROM (
          SELECT
            "t46"."entity_id",
            "t5"."id_0",
            "t5"."signup_0"
          FROM (
            SELECT
              *
            FROM (
              SELECT
                *
              FROM (
                SELECT
                  "t0"."account_id" AS "entity_id"
                FROM "accounts" AS "t0"
              ) AS "t3"
              UNION
              SELECT
                *
              FROM (
                SELECT
                  "t2"."account_id" AS "entity_id"
                FROM "users" AS "t2"
                WHERE
                  "t2"."account_id" IS NOT NULL
              ) AS "t7"
            ) AS "t10"
            UNION
            SELECT
              *
            FROM (
              SELECT
                "t39"."entity_id"
              FROM "t37" AS "t39"
            ) AS "t40"
          ) AS "t46"
          LEFT OUTER JOIN (
            SELECT
              "t0"."account_id" AS "id_0",
              "t0"."created_at" AS "signup_0"
            FROM "accounts" AS "t0"
          ) AS "t5"
            ON "t46"."entity_id" = "t5"."id_0"
        ) AS "t47"
      ) AS "t49"
      LEFT OUTER JOIN (
        SELECT
          "t8"."entity_id" AS "id_1",
          "t8"."value" AS "signup_1"
        FROM (
          SELECT
            "t2"."account_id" AS "entity_id",
            MIN("t2"."signed_up_at") AS "value"
          FROM "users" AS "t2"
          GROUP BY
            1
        ) AS "t8"
      ) AS "t15"
        ON "t49"."entity_id" = "t15"."id_1"
    ) AS "t50"
  ) AS "t52"
  LEFT OUTER JOIN (
    SELECT
      "t39"."entity_id" AS "fe_id",
      "t39"."first_event_at"
    FROM "t37" AS "t39"
  ) AS "t44"
    ON "t52"."entity_id" = "t44"."fe_id"
  LEFT OUTER JOIN (
    SELECT
      "t39"."entity_id" AS "conv_entity_id",
      "t39"."converted_at"
    FROM "t37" AS "t39"
  ) AS "t45"
    ON "t52"."entity_id" = "t45"."conv_entity_id"
)
SELECT
  "t85"."entity_id",
  "t85"."signup_at",
  "t85"."converted_at",
  "t85"."criterion_0_at",
  "t85"."criterion_1_at",
  "t85"."criterion_2_at",
  "t85"."criterion_3_at",
  "t85"."criterion_4_at",
  "t85"."criterion_5_at",
  "t85"."rule_satisfied_at",
  "t85"."active_days",
  "t85"."active_days_satisfied_at",
  "t85"."fit_free_email",
  "t85"."fit_employees",
  "t85"."last_seen_at",
  "t85"."fit",
  "t85"."qualified_at",
  "t85"."status",
  CASE
    WHEN "t85"."qualified_at" IS NOT NULL
    THEN CAST(["t85"."qualified_at"] AS TIMESTAMP[])
    ELSE CAST(NULL AS TIMESTAMP[])
  END AS "episode_starts",
  CASE
    WHEN "t85"."status" = 'converted_pql'
    THEN CAST(["t85"."converted_at"] AS TIMESTAMP(6)[])
    ELSE CAST(NULL AS TIMESTAMP[])
  END AS "episode_ends",
  CASE
    WHEN "t85"."status" = 'pql'
    THEN "t85"."qualified_at"
    ELSE CAST(NULL AS TIMESTAMP)
  END AS "pql_since",
  CAST(NULL AS TIMESTAMP) AS "lapsed_at",
  CAST(NULL AS TIMESTAMP) AS "next_change_at",
  '77471bfbdeb0' AS "definition_version",
  MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0) AS "as_of"
FROM (
  SELECT
    "t84"."entity_id",
    "t84"."signup_at",
    "t84"."converted_at",
    "t84"."criterion_0_at",
    "t84"."criterion_1_at",
    "t84"."criterion_2_at",
    "t84"."criterion_3_at",
    "t84"."criterion_4_at",
    "t84"."criterion_5_at",
    "t84"."rule_satisfied_at",
    "t84"."active_days",
    "t84"."active_days_satisfied_at",
    "t84"."fit_free_email",
    "t84"."fit_employees",
    "t84"."last_seen_at",
    "t84"."fit",
    "t84"."qualified_at",
    CASE
      WHEN (
        "t84"."qualified_at" IS NOT NULL
      ) AND (
        "t84"."converted_at" IS NOT NULL
      )
      THEN 'converted_pql'
      WHEN (
        "t84"."qualified_at" IS NOT NULL
      ) AND TRUE
      THEN 'pql'
      WHEN "t84"."qualified_at" IS NOT NULL
      THEN 'lapsed'
      WHEN "t84"."converted_at" IS NOT NULL
      THEN 'converted_without_qualifying'
      WHEN NOT (
        "t84"."fit"
      )
      THEN 'failed_fit'
      ELSE 'not_qualified'
    END AS "status"
  FROM (
    SELECT
      "t83"."entity_id",
      "t83"."signup_at",
      "t83"."converted_at",
      "t83"."criterion_0_at",
      "t83"."criterion_1_at",
      "t83"."criterion_2_at",
      "t83"."criterion_3_at",
      "t83"."criterion_4_at",
      "t83"."criterion_5_at",
      "t83"."rule_satisfied_at",
      COALESCE("t83"."active_days", 0) AS "active_days",
      "t83"."active_days_satisfied_at",
      "t83"."fit_free_email",
      "t83"."fit_employees",
      "t83"."last_seen_at",
      COALESCE("t83"."fit_free_email", TRUE) AND COALESCE("t83"."fit_employees", TRUE) AS "fit",
      CASE
        WHEN (
          "t83"."converted_at" IS NOT NULL
        )
        AND (
          "t83"."converted_at" <= CASE
            WHEN COALESCE("t83"."fit_free_email", TRUE) AND COALESCE("t83"."fit_employees", TRUE)
            THEN CASE
              WHEN (
                "t83"."rule_satisfied_at" IS NULL
              )
              OR (
                "t83"."active_days_satisfied_at" IS NULL
              )
              THEN CAST(NULL AS TIMESTAMP)
              ELSE GREATEST("t83"."rule_satisfied_at", "t83"."active_days_satisfied_at")
            END
            ELSE CAST(NULL AS TIMESTAMP)
          END
        )
        THEN CAST(NULL AS TIMESTAMP)
        ELSE CASE
          WHEN COALESCE("t83"."fit_free_email", TRUE) AND COALESCE("t83"."fit_employees", TRUE)
          THEN CASE
            WHEN (
              "t83"."rule_satisfied_at" IS NULL
            )
            OR (
              "t83"."active_days_satisfied_at" IS NULL
            )
            THEN CAST(NULL AS TIMESTAMP)
            ELSE GREATEST("t83"."rule_satisfied_at", "t83"."active_days_satisfied_at")
          END
          ELSE CAST(NULL AS TIMESTAMP)
        END
      END AS "qualified_at"
    FROM (
      SELECT
        "t82".*
        EXCLUDE ("l_id")
      FROM (
        SELECT
          "t81"."entity_id",
          "t81"."signup_at",
          "t81"."converted_at",
          "t81"."criterion_0_at",
          "t81"."criterion_1_at",
          "t81"."criterion_2_at",
          "t81"."criterion_3_at",
          "t81"."criterion_4_at",
          "t81"."criterion_5_at",
          "t81"."rule_satisfied_at",
          "t81"."active_days",
          "t81"."active_days_satisfied_at",
          "t81"."fit_free_email",
          "t81"."fit_employees",
          "t38"."l_id",
          "t38"."last_seen_at"
        FROM (
          SELECT
            "t79".*
            EXCLUDE ("f_id")
          FROM (
            SELECT
              "t78"."entity_id",
              "t78"."signup_at",
              "t78"."converted_at",
              "t78"."criterion_0_at",
              "t78"."criterion_1_at",
              "t78"."criterion_2_at",
              "t78"."criterion_3_at",
              "t78"."criterion_4_at",
              "t78"."criterion_5_at",
              "t78"."rule_satisfied_at",
              "t78"."active_days",
              "t78"."active_days_satisfied_at",
              "t13"."f_id",
              "t13"."fit_free_email",
              "t13"."fit_employees"
            FROM (
              SELECT
                "t76".*
                EXCLUDE ("a_id")
              FROM (
                SELECT
                  "t75"."entity_id",
                  "t75"."signup_at",
                  "t75"."converted_at",
                  "t75"."criterion_0_at",
                  "t75"."criterion_1_at",
                  "t75"."criterion_2_at",
                  "t75"."criterion_3_at",
                  "t75"."criterion_4_at",
                  "t75"."criterion_5_at",
                  "t75"."rule_satisfied_at",
                  "t69"."a_id",
                  "t69"."active_days",
                  "t69"."active_days_satisfied_at"
                FROM (
                  SELECT
                    "t73".*
                    EXCLUDE ("c_id")
                  FROM (
                    SELECT
                      "t57"."entity_id",
                      "t57"."signup_at",
                      "t57"."converted_at",
                      "t72"."c_id",
                      "t72"."criterion_0_at",
                      "t72"."criterion_1_at",
                      "t72"."criterion_2_at",
                      "t72"."criterion_3_at",
                      "t72"."criterion_4_at",
                      "t72"."criterion_5_at",
                      "t72"."rule_satisfied_at"
                    FROM (
                      SELECT
                        *
                      FROM "t53" AS "t54"
                      WHERE
                        "t54"."signup_at" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
                    ) AS "t57"
                    LEFT OUTER JOIN (
                      SELECT
                        "t70"."c_id",
                        "t70"."criterion_0_at",
                        "t70"."criterion_1_at",
                        "t70"."criterion_2_at",
                        "t70"."criterion_3_at",
                        "t70"."criterion_4_at",
                        "t70"."criterion_5_at",
                        NULLIF(
                          LEAST(
                            CASE
                              WHEN (
                                0.0 + CASE WHEN "t70"."criterion_0_at" <= "t70"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t70"."criterion_1_at" <= "t70"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t70"."criterion_2_at" <= "t70"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t70"."criterion_3_at" <= "t70"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t70"."criterion_4_at" <= "t70"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t70"."criterion_5_at" <= "t70"."criterion_0_at" THEN 1.0 ELSE 0.0 END
                              ) >= 2.999999999
                              THEN "t70"."criterion_0_at"
                              ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
                            END,
                            CASE
                              WHEN (
                                0.0 + CASE WHEN "t70"."criterion_0_at" <= "t70"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t70"."criterion_1_at" <= "t70"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t70"."criterion_2_at" <= "t70"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t70"."criterion_3_at" <= "t70"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t70"."criterion_4_at" <= "t70"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t70"."criterion_5_at" <= "t70"."criterion_1_at" THEN 1.0 ELSE 0.0 END
                              ) >= 2.999999999
                              THEN "t70"."criterion_1_at"
                              ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
                            END,
                            CASE
                              WHEN (
                                0.0 + CASE WHEN "t70"."criterion_0_at" <= "t70"."criterion_2_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t70"."criterion_1_at" <= "t70"."criterion_2_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t70"."criterion_2_at" <= "t70"."criterion_2_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t70"."criterion_3_at" <= "t70"."criterion_2_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t70"."criterion_4_at" <= "t70"."criterion_2_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t70"."criterion_5_at" <= "t70"."criterion_2_at" THEN 1.0 ELSE 0.0 END
                              ) >= 2.999999999
                              THEN "t70"."criterion_2_at"
                              ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
                            END,
                            CASE
                              WHEN (
                                0.0 + CASE WHEN "t70"."criterion_0_at" <= "t70"."criterion_3_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t70"."criterion_1_at" <= "t70"."criterion_3_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t70"."criterion_2_at" <= "t70"."criterion_3_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t70"."criterion_3_at" <= "t70"."criterion_3_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t70"."criterion_4_at" <= "t70"."criterion_3_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t70"."criterion_5_at" <= "t70"."criterion_3_at" THEN 1.0 ELSE 0.0 END
                              ) >= 2.999999999
                              THEN "t70"."criterion_3_at"
                              ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
                            END,
                            CASE
                              WHEN (
                                0.0 + CASE WHEN "t70"."criterion_0_at" <= "t70"."criterion_4_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t70"."criterion_1_at" <= "t70"."criterion_4_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t70"."criterion_2_at" <= "t70"."criterion_4_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t70"."criterion_3_at" <= "t70"."criterion_4_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t70"."criterion_4_at" <= "t70"."criterion_4_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t70"."criterion_5_at" <= "t70"."criterion_4_at" THEN 1.0 ELSE 0.0 END
                              ) >= 2.999999999
                              THEN "t70"."criterion_4_at"
                              ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
                            END,
                            CASE
                              WHEN (
                                0.0 + CASE WHEN "t70"."criterion_0_at" <= "t70"."criterion_5_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t70"."criterion_1_at" <= "t70"."criterion_5_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t70"."criterion_2_at" <= "t70"."criterion_5_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t70"."criterion_3_at" <= "t70"."criterion_5_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t70"."criterion_4_at" <= "t70"."criterion_5_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t70"."criterion_5_at" <= "t70"."criterion_5_at" THEN 1.0 ELSE 0.0 END
                              ) >= 2.999999999
                              THEN "t70"."criterion_5_at"
                              ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
                            END
                          ),
                          MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
                        ) AS "rule_satisfied_at"
                      FROM (
                        SELECT
                          "t66"."entity_id" AS "c_id",
                          MIN("t66"."ts") FILTER(WHERE
                            "t66"."event" = 'Invited Member') AS "criterion_0_at",
                          LIST_EXTRACT(MIN("t66"."ts", 2) FILTER(WHERE
                            "t66"."event" = 'Created Document'), 2) AS "criterion_1_at",
                          MIN("t66"."ts") FILTER(WHERE
                            CASE
                              WHEN "t66"."event" = 'Shared Document'
                              THEN "t66"."ts" < (
                                "t66"."signup_at" + INTERVAL '14' DAY
                              )
                              ELSE FALSE
                            END) AS "criterion_2_at",
                          LIST_EXTRACT(MIN("t66"."ts", 3) FILTER(WHERE
                            "t66"."event" = 'Uploaded Asset'), 3) AS "criterion_3_at",
                          LIST_EXTRACT(
                            MIN("t66"."ts", 3) FILTER(WHERE
                              CASE
                                WHEN "t66"."event" = 'Added Task'
                                THEN COALESCE((
                                  "t66"."properties" ->> '$.source'
                                ) IN ('web'), FALSE)
                                ELSE FALSE
                              END),
                            3
                          ) AS "criterion_4_at",
                          MIN("t66"."ts") FILTER(WHERE
                            "t66"."event" = 'Created Calendar') AS "criterion_5_at"
                        FROM (
                          SELECT
                            "t64"."entity_id",
                            "t64"."event",
                            "t64"."properties",
                            "t64"."ts",
                            "t64"."a_signup" AS "signup_at",
                            "t64"."a_converted" AS "converted_at"
                          FROM (
                            SELECT
                              "t62".*
                              EXCLUDE ("a_entity")
                            FROM (
                              SELECT
                                *
                              FROM (
                                SELECT
                                  "t34"."entity_id",
                                  "t34"."event",
                                  "t34"."properties",
                                  "t34"."ts",
                                  "t58"."a_entity",
                                  "t58"."a_signup",
                                  "t58"."a_converted"
                                FROM (
                                  SELECT
                                    *
                                  FROM (
                                    SELECT
                                      "t17"."account_id" AS "entity_id",
                                      "t17"."event",
                                      "t17"."properties",
                                      "t17"."ts"
                                    FROM (
                                      SELECT
                                        "t16".*
                                        EXCLUDE ("_pql_copy")
                                      FROM (
                                        SELECT
                                          *
                                        FROM (
                                          SELECT
                                            "t1"."event_id",
                                            "t1"."user_id",
                                            "t1"."account_id",
                                            "t1"."event",
                                            "t1"."ts",
                                            "t1"."properties",
                                            ROW_NUMBER() OVER (
                                              PARTITION BY "t1"."event_id"
                                              ORDER BY "t1"."ts" ASC, "t1"."user_id" ASC, "t1"."account_id" ASC, "t1"."event" ASC, CAST("t1"."properties" AS TEXT) ASC
                                              ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                                            ) - 1 AS "_pql_copy"
                                          FROM "events" AS "t1"
                                        ) AS "t14"
                                        WHERE
                                          (
                                            "t14"."_pql_copy" = 0
                                          ) OR (
                                            "t14"."event_id" IS NULL
                                          )
                                      ) AS "t16"
                                    ) AS "t17"
                                    WHERE
                                      "t17"."ts" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
                                      AND ARRAY_CONTAINS(
                                        [
                                          'Added Task',
                                          'Created Calendar',
                                          'Created Document',
                                          'Invited Member',
                                          'Shared Document',
                                          'Uploaded Asset'
                                        ],
                                        "t17"."event"
                                      )
                                      AND "t17"."account_id" IS NOT NULL
                                  ) AS "t22"
                                  UNION ALL
                                  SELECT
                                    *
                                  FROM (
                                    SELECT
                                      "t9"."member_account" AS "entity_id",
                                      "t26"."event",
                                      "t26"."properties",
                                      "t26"."ts"
                                    FROM (
                                      SELECT
                                        "t17"."user_id",
                                        "t17"."account_id",
                                        "t17"."event",
                                        "t17"."properties",
                                        "t17"."ts"
                                      FROM (
                                        SELECT
                                          "t16".*
                                          EXCLUDE ("_pql_copy")
                                        FROM (
                                          SELECT
                                            *
                                          FROM (
                                            SELECT
                                              "t1"."event_id",
                                              "t1"."user_id",
                                              "t1"."account_id",
                                              "t1"."event",
                                              "t1"."ts",
                                              "t1"."properties",
                                              ROW_NUMBER() OVER (
                                                PARTITION BY "t1"."event_id"
                                                ORDER BY "t1"."ts" ASC, "t1"."user_id" ASC, "t1"."account_id" ASC, "t1"."event" ASC, CAST("t1"."properties" AS TEXT) ASC
                                                ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                                              ) - 1 AS "_pql_copy"
                                            FROM "events" AS "t1"
                                          ) AS "t14"
                                          WHERE
                                            (
                                              "t14"."_pql_copy" = 0
                                            ) OR (
                                              "t14"."event_id" IS NULL
                                            )
                                        ) AS "t16"
                                      ) AS "t17"
                                      WHERE
                                        "t17"."ts" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
                                        AND ARRAY_CONTAINS(
                                          [
                                            'Added Task',
                                            'Created Calendar',
                                            'Created Document',
                                            'Invited Member',
                                            'Shared Document',
                                            'Uploaded Asset'
                                          ],
                                          "t17"."event"
                                        )
                                        AND "t17"."account_id" IS NULL
                                    ) AS "t26"
                                    INNER JOIN (
                                      SELECT
                                        "t2"."user_id" AS "member_id",
                                        "t2"."account_id" AS "member_account"
                                      FROM "users" AS "t2"
                                      WHERE
                                        "t2"."account_id" IS NOT NULL
                                    ) AS "t9"
                                      ON "t26"."user_id" = "t9"."member_id"
                                  ) AS "t29"
                                ) AS "t34"
                                INNER JOIN (
                                  SELECT
                                    "t54"."entity_id" AS "a_entity",
                                    "t54"."signup_at" AS "a_signup",
                                    "t54"."converted_at" AS "a_converted"
                                  FROM "t53" AS "t54"
                                  WHERE
                                    "t54"."signup_at" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
                                ) AS "t58"
                                  ON "t34"."entity_id" = "t58"."a_entity"
                              ) AS "t60"
                              WHERE
                                "t60"."ts" >= "t60"."a_signup"
                            ) AS "t62"
                          ) AS "t64"
                          WHERE
                            (
                              "t64"."a_converted" IS NULL
                            ) OR (
                              "t64"."ts" < "t64"."a_converted"
                            )
                        ) AS "t66"
                        GROUP BY
                          1
                      ) AS "t70"
                    ) AS "t72"
                      ON "t57"."entity_id" = "t72"."c_id"
                  ) AS "t73"
                ) AS "t75"
                LEFT OUTER JOIN (
                  SELECT
                    "t67"."entity_id" AS "a_id",
                    COUNT("t67"."first_ts") AS "active_days",
                    LIST_EXTRACT(MIN("t67"."first_ts", 2) FILTER(WHERE
                      "t67"."first_ts" IS NOT NULL), 2) AS "active_days_satisfied_at"
                  FROM (
                    SELECT
                      "t65"."entity_id",
                      DATE_TRUNC('DAY', "t65"."ts") AS "day",
                      MIN("t65"."ts") AS "first_ts"
                    FROM (
                      SELECT
                        "t63"."entity_id",
                        "t63"."ts",
                        "t63"."a_signup" AS "signup_at",
                        "t63"."a_converted" AS "converted_at"
                      FROM (
                        SELECT
                          "t61".*
                          EXCLUDE ("a_entity")
                        FROM (
                          SELECT
                            *
                          FROM (
                            SELECT
                              "t35"."entity_id",
                              "t35"."ts",
                              "t58"."a_entity",
                              "t58"."a_signup",
                              "t58"."a_converted"
                            FROM "t30" AS "t35"
                            INNER JOIN (
                              SELECT
                                "t54"."entity_id" AS "a_entity",
                                "t54"."signup_at" AS "a_signup",
                                "t54"."converted_at" AS "a_converted"
                              FROM "t53" AS "t54"
                              WHERE
                                "t54"."signup_at" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
                            ) AS "t58"
                              ON "t35"."entity_id" = "t58"."a_entity"
                          ) AS "t59"
                          WHERE
                            "t59"."ts" >= "t59"."a_signup"
                        ) AS "t61"
                      ) AS "t63"
                    ) AS "t65"
                    GROUP BY
                      1,
                      2
                  ) AS "t67"
                  GROUP BY
                    1
                ) AS "t69"
                  ON "t75"."entity_id" = "t69"."a_id"
              ) AS "t76"
            ) AS "t78"
            LEFT OUTER JOIN (
              SELECT
                "t0"."account_id" AS "f_id",
                NOT (
                  LOWER("t0"."domain") IN (
                    'gmail.com',
                    'googlemail.com',
                    'yahoo.com',
                    'yahoo.co.uk',
                    'outlook.com',
                    'hotmail.com',
                    'live.com',
                    'msn.com',
                    'icloud.com',
                    'me.com',
                    'mac.com',
                    'aol.com',
                    'proton.me',
                    'protonmail.com',
                    'gmx.com',
                    'gmx.de',
                    'mail.com',
                    'yandex.com',
                    'yandex.ru',
                    'zoho.com',
                    'hey.com',
                    'fastmail.com',
                    'web.de',
                    'qq.com',
                    '163.com'
                  )
                ) AS "fit_free_email",
                "t0"."employees" >= 5 AS "fit_employees"
              FROM "accounts" AS "t0"
            ) AS "t13"
              ON "t78"."entity_id" = "t13"."f_id"
          ) AS "t79"
        ) AS "t81"
        LEFT OUTER JOIN (
          SELECT
            "t33"."entity_id" AS "l_id",
            MAX("t33"."ts") AS "last_seen_at"
          FROM "t30" AS "t33"
          GROUP BY
            1
        ) AS "t38"
          ON "t81"."entity_id" = "t38"."l_id"
      ) AS "t82"
    ) AS "t83"
  ) AS "t84"
) AS "t85"
ORDER BY
  "t85"."entity_id" ASC;

-- cohort_metrics: sufficient statistics per month of signup, then the overall row (cohort NULL) over complete cohorts
WITH "t11" AS (
  SELECT
    "t0"."account_id" AS "f_id",
    NOT (
      LOWER("t0"."domain") IN (
        'gmail.com',
        'googlemail.com',
        'yahoo.com',
        'yahoo.co.uk',
        'outlook.com',
        'hotmail.com',
        'live.com',
        'msn.com',
        'icloud.com',
        'me.com',
        'mac.com',
        'aol.com',
        'proton.me',
        'protonmail.com',
        'gmx.com',
        'gmx.de',
        'mail.com',
        'yandex.com',
        'yandex.ru',
        'zoho.com',
        'hey.com',
        'fastmail.com',
        'web.de',
        'qq.com',
        '163.com'
      )
    ) AS "fit_free_email",
    "t0"."employees" >= 5 AS "fit_employees"
  FROM "accounts" AS "t0"
), "t38" AS (
  SELECT
    "t34"."entity_id",
    MIN("t34"."ts") AS "first_event_at",
    MIN("t34"."ts") FILTER(WHERE
      "t34"."event" = 'Subscription Started') AS "converted_at"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t19"."account_id" AS "entity_id",
        "t19"."event",
        "t19"."ts"
      FROM (
        SELECT
          "t17".*
          EXCLUDE ("_pql_copy")
        FROM (
          SELECT
            *
          FROM (
            SELECT
              "t2"."event_id",
              "t2"."user_id",
              "t2"."account_id",
              "t2"."event",
              "t2"."ts",
              "t2"."properties",
              ROW_NUMBER() OVER (
                PARTITION BY "t2"."event_id"
                ORDER BY "t2"."ts" ASC, "t2"."user_id" ASC, "t2"."account_id" ASC, "t2"."event" ASC, CAST("t2"."properties" AS TEXT) ASC
                ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
              ) - 1 AS "_pql_copy"
            FROM "events" AS "t2"
          ) AS "t15"
          WHERE
            (
              "t15"."_pql_copy" = 0
            ) OR (
              "t15"."event_id" IS NULL
            )
        ) AS "t17"
      ) AS "t19"
      WHERE
        "t19"."ts" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
        AND "t19"."account_id" IS NOT NULL
    ) AS "t23"
    UNION ALL
    SELECT
      *
    FROM (
      SELECT
        "t9"."member_account" AS "entity_id",
        "t28"."event",
        "t28"."ts"
      FROM (
        SELECT
          "t19"."user_id",
          "t19"."account_id",
          "t19"."event",
          "t19"."ts"
        FROM (
          SELECT
            "t17".*
            EXCLUDE ("_pql_copy")
          FROM (
            SELECT
              *
            FROM (
              SELECT
                "t2"."event_id",
                "t2"."user_id",
                "t2"."account_id",
                "t2"."event",
                "t2"."ts",
                "t2"."properties",
                ROW_NUMBER() OVER (
                  PARTITION BY "t2"."event_id"
                  ORDER BY "t2"."ts" ASC, "t2"."user_id" ASC, "t2"."account_id" ASC, "t2"."event" ASC, CAST("t2"."properties" AS TEXT) ASC
                  ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                ) - 1 AS "_pql_copy"
              FROM "events" AS "t2"
            ) AS "t15"
            WHERE
              (
                "t15"."_pql_copy" = 0
              ) OR (
                "t15"."event_id" IS NULL
              )
          ) AS "t17"
        ) AS "t19"
        WHERE
          "t19"."ts" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
          AND "t19"."account_id" IS NULL
      ) AS "t28"
      INNER JOIN (
        SELECT
          "t1"."user_id" AS "member_id",
          "t1"."account_id" AS "member_account"
        FROM "users" AS "t1"
        WHERE
          "t1"."account_id" IS NOT NULL
      ) AS "t9"
        ON "t28"."user_id" = "t9"."member_id"
    ) AS "t31"
  ) AS "t34"
  GROUP BY
    1
), "t53" AS (
  SELECT
    "t52"."entity_id",
    COALESCE("t52"."signup_0", "t52"."signup_1", "t44"."first_event_at") AS "signup_at",
    "t45"."converted_at"
  FROM (
    SELECT
      "t50"."entity_id",
      "t50"."signup_0",
      "t50"."signup_1"
    FROM (
      SELECT
        "t49"."entity_id",
        "t49"."signup_0",
        "t14"."id_1",
        "t14"."signup_1"
      FROM (
        SELECT
          "t47"."entity_id",
          "t47"."signup_0"
        FROM (
          SELECT
            "t46"."entity_id",
            "t5"."id_0",
            "t5"."signup_0"
          FROM (
            SELECT
              *
            FROM (
              SELECT
                *
              FROM (
                SELECT
                  "t0"."account_id" AS "entity_id"
                FROM "accounts" AS "t0"
              ) AS "t3"
              UNION
              SELECT
                *
              FROM (
                SELECT
                  "t1"."account_id" AS "entity_id"
                FROM "users" AS "t1"
                WHERE
                  "t1"."account_id" IS NOT NULL
              ) AS "t7"
            ) AS "t10"
            UNION
            SELECT
              *
            FROM (
              SELECT
                "t39"."entity_id"
              FROM "t38" AS "t39"
            ) AS "t40"
          ) AS "t46"
          LEFT OUTER JOIN (
            SELECT
              "t0"."account_id" AS "id_0",
              "t0"."created_at" AS "signup_0"
            FROM "accounts" AS "t0"
          ) AS "t5"
            ON "t46"."entity_id" = "t5"."id_0"
        ) AS "t47"
      ) AS "t49"
      LEFT OUTER JOIN (
        SELECT
          "t8"."entity_id" AS "id_1",
          "t8"."value" AS "signup_1"
        FROM (
          SELECT
            "t1"."account_id" AS "entity_id",
            MIN("t1"."signed_up_at") AS "value"
          FROM "users" AS "t1"
          GROUP BY
            1
        ) AS "t8"
      ) AS "t14"
        ON "t49"."entity_id" = "t14"."id_1"
    ) AS "t50"
  ) AS "t52"
  LEFT OUTER JOIN (
    SELECT
      "t39"."entity_id" AS "fe_id",
      "t39"."first_event_at"
    FROM "t38" AS "t39"
  ) AS "t44"
    ON "t52"."entity_id" = "t44"."fe_id"
  LEFT OUTER JOIN (
    SELECT
      "t39"."entity_id" AS "conv_entity_id",
      "t39"."converted_at"
    FROM "t38" AS "t39"
  ) AS "t45"
    ON "t52"."entity_id" = "t45"."conv_entity_id"
), "t66" AS (
  SELECT
    "t65"."c_id",
    "t65"."criterion_0_at",
    "t65"."criterion_1_at",
    "t65"."criterion_2_at",
    "t65"."criterion_3_at",
    "t65"."criterion_4_at",
    "t65"."criterion_5_at",
    NULLIF(
      LEAST(
        CASE
          WHEN (
            0.0 + CASE WHEN "t65"."criterion_0_at" <= "t65"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_1_at" <= "t65"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_2_at" <= "t65"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_3_at" <= "t65"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_4_at" <= "t65"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_5_at" <= "t65"."criterion_0_at" THEN 1.0 ELSE 0.0 END
          ) >= 2.999999999
          THEN "t65"."criterion_0_at"
          ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
        END,
        CASE
          WHEN (
            0.0 + CASE WHEN "t65"."criterion_0_at" <= "t65"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_1_at" <= "t65"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_2_at" <= "t65"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_3_at" <= "t65"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_4_at" <= "t65"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_5_at" <= "t65"."criterion_1_at" THEN 1.0 ELSE 0.0 END
          ) >= 2.999999999
          THEN "t65"."criterion_1_at"
          ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
        END,
        CASE
          WHEN (
            0.0 + CASE WHEN "t65"."criterion_0_at" <= "t65"."criterion_2_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_1_at" <= "t65"."criterion_2_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_2_at" <= "t65"."criterion_2_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_3_at" <= "t65"."criterion_2_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_4_at" <= "t65"."criterion_2_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_5_at" <= "t65"."criterion_2_at" THEN 1.0 ELSE 0.0 END
          ) >= 2.999999999
          THEN "t65"."criterion_2_at"
          ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
        END,
        CASE
          WHEN (
            0.0 + CASE WHEN "t65"."criterion_0_at" <= "t65"."criterion_3_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_1_at" <= "t65"."criterion_3_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_2_at" <= "t65"."criterion_3_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_3_at" <= "t65"."criterion_3_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_4_at" <= "t65"."criterion_3_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_5_at" <= "t65"."criterion_3_at" THEN 1.0 ELSE 0.0 END
          ) >= 2.999999999
          THEN "t65"."criterion_3_at"
          ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
        END,
        CASE
          WHEN (
            0.0 + CASE WHEN "t65"."criterion_0_at" <= "t65"."criterion_4_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_1_at" <= "t65"."criterion_4_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_2_at" <= "t65"."criterion_4_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_3_at" <= "t65"."criterion_4_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_4_at" <= "t65"."criterion_4_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_5_at" <= "t65"."criterion_4_at" THEN 1.0 ELSE 0.0 END
          ) >= 2.999999999
          THEN "t65"."criterion_4_at"
          ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
        END,
        CASE
          WHEN (
            0.0 + CASE WHEN "t65"."criterion_0_at" <= "t65"."criterion_5_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_1_at" <= "t65"."criterion_5_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_2_at" <= "t65"."criterion_5_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_3_at" <= "t65"."criterion_5_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_4_at" <= "t65"."criterion_5_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_5_at" <= "t65"."criterion_5_at" THEN 1.0 ELSE 0.0 END
          ) >= 2.999999999
          THEN "t65"."criterion_5_at"
          ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
        END
      ),
      MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
    ) AS "rule_satisfied_at"
  FROM (
    SELECT
      "t64"."entity_id" AS "c_id",
      MIN("t64"."ts") FILTER(WHERE
        "t64"."event" = 'Invited Member') AS "criterion_0_at",
      LIST_EXTRACT(MIN("t64"."ts", 2) FILTER(WHERE
        "t64"."event" = 'Created Document'), 2) AS "criterion_1_at",
      MIN("t64"."ts") FILTER(WHERE
        CASE
          WHEN "t64"."event" = 'Shared Document'
          THEN "t64"."ts" < (
            "t64"."signup_at" + INTERVAL '14' DAY
          )
          ELSE FALSE
        END) AS "criterion_2_at",
      LIST_EXTRACT(MIN("t64"."ts", 3) FILTER(WHERE
        "t64"."event" = 'Uploaded Asset'), 3) AS "criterion_3_at",
      LIST_EXTRACT(
        MIN("t64"."ts", 3) FILTER(WHERE
          CASE
            WHEN "t64"."event" = 'Added Task'
            THEN COALESCE((
              "t64"."properties" ->> '$.source'
            ) IN ('web'), FALSE)
            ELSE FALSE
          END),
        3
      ) AS "criterion_4_at",
      MIN("t64"."ts") FILTER(WHERE
        "t64"."event" = 'Created Calendar') AS "criterion_5_at"
    FROM (
      SELECT
        "t63"."entity_id",
        "t63"."event",
        "t63"."properties",
        "t63"."ts",
        "t63"."a_signup" AS "signup_at",
        "t63"."a_converted" AS "converted_at"
      FROM (
        SELECT
          "t62".*
          EXCLUDE ("a_entity")
        FROM (
          SELECT
            *
          FROM (
            SELECT
              "t37"."entity_id",
              "t37"."event",
              "t37"."properties",
              "t37"."ts",
              "t60"."a_entity",
              "t60"."a_signup",
              "t60"."a_converted"
            FROM (
              SELECT
                *
              FROM (
                SELECT
                  "t19"."account_id" AS "entity_id",
                  "t19"."event",
                  "t19"."properties",
                  "t19"."ts"
                FROM (
                  SELECT
                    "t17".*
                    EXCLUDE ("_pql_copy")
                  FROM (
                    SELECT
                      *
                    FROM (
                      SELECT
                        "t2"."event_id",
                        "t2"."user_id",
                        "t2"."account_id",
                        "t2"."event",
                        "t2"."ts",
                        "t2"."properties",
                        ROW_NUMBER() OVER (
                          PARTITION BY "t2"."event_id"
                          ORDER BY "t2"."ts" ASC, "t2"."user_id" ASC, "t2"."account_id" ASC, "t2"."event" ASC, CAST("t2"."properties" AS TEXT) ASC
                          ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                        ) - 1 AS "_pql_copy"
                      FROM "events" AS "t2"
                    ) AS "t15"
                    WHERE
                      (
                        "t15"."_pql_copy" = 0
                      ) OR (
                        "t15"."event_id" IS NULL
                      )
                  ) AS "t17"
                ) AS "t19"
                WHERE
                  "t19"."ts" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
                  AND ARRAY_CONTAINS(
                    [
                      'Added Task',
                      'Created Calendar',
                      'Created Document',
                      'Invited Member',
                      'Shared Document',
                      'Uploaded Asset'
                    ],
                    "t19"."event"
                  )
                  AND "t19"."account_id" IS NOT NULL
              ) AS "t25"
              UNION ALL
              SELECT
                *
              FROM (
                SELECT
                  "t9"."member_account" AS "entity_id",
                  "t29"."event",
                  "t29"."properties",
                  "t29"."ts"
                FROM (
                  SELECT
                    "t19"."user_id",
                    "t19"."account_id",
                    "t19"."event",
                    "t19"."properties",
                    "t19"."ts"
                  FROM (
                    SELECT
                      "t17".*
                      EXCLUDE ("_pql_copy")
                    FROM (
                      SELECT
                        *
                      FROM (
                        SELECT
                          "t2"."event_id",
                          "t2"."user_id",
                          "t2"."account_id",
                          "t2"."event",
                          "t2"."ts",
                          "t2"."properties",
                          ROW_NUMBER() OVER (
                            PARTITION BY "t2"."event_id"
                            ORDER BY "t2"."ts" ASC, "t2"."user_id" ASC, "t2"."account_id" ASC, "t2"."event" ASC, CAST("t2"."properties" AS TEXT) ASC
                            ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                          ) - 1 AS "_pql_copy"
                        FROM "events" AS "t2"
                      ) AS "t15"
                      WHERE
                        (
                          "t15"."_pql_copy" = 0
                        ) OR (
                          "t15"."event_id" IS NULL
                        )
                    ) AS "t17"
                  ) AS "t19"
                  WHERE
                    "t19"."ts" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
                    AND ARRAY_CONTAINS(
                      [
                        'Added Task',
                        'Created Calendar',
                        'Created Document',
                        'Invited Member',
                        'Shared Document',
                        'Uploaded Asset'
                      ],
                      "t19"."event"
                    )
                    AND "t19"."account_id" IS NULL
                ) AS "t29"
                INNER JOIN (
                  SELECT
                    "t1"."user_id" AS "member_id",
                    "t1"."account_id" AS "member_account"
                  FROM "users" AS "t1"
                  WHERE
                    "t1"."account_id" IS NOT NULL
                ) AS "t9"
                  ON "t29"."user_id" = "t9"."member_id"
              ) AS "t32"
            ) AS "t37"
            INNER JOIN (
              SELECT
                "t58"."a_entity",
                "t58"."a_signup",
                "t58"."a_converted"
              FROM (
                SELECT
                  "t54"."entity_id" AS "a_entity",
                  "t54"."signup_at" AS "a_signup",
                  "t54"."converted_at" AS "a_converted"
                FROM "t53" AS "t54"
                WHERE
                  "t54"."signup_at" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
              ) AS "t58"
              ANTI JOIN (
                SELECT
                  *
                FROM "t11" AS "t13"
                WHERE
                  NOT (
                    COALESCE("t13"."fit_free_email", TRUE) AND COALESCE("t13"."fit_employees", TRUE)
                  )
              ) AS "t20"
                ON "t58"."a_entity" = "t20"."f_id"
            ) AS "t60"
              ON "t37"."entity_id" = "t60"."a_entity"
          ) AS "t61"
          WHERE
            "t61"."ts" >= "t61"."a_signup"
        ) AS "t62"
      ) AS "t63"
      WHERE
        (
          "t63"."a_converted" IS NULL
        ) OR (
          "t63"."ts" < "t63"."a_converted"
        )
    ) AS "t64"
    GROUP BY
      1
  ) AS "t65"
), "t89" AS (
  SELECT
    "t88"."entity_id",
    "t88"."signup_at",
    "t88"."converted_at",
    "t88"."criterion_0_at",
    "t88"."criterion_1_at",
    "t88"."criterion_2_at",
    "t88"."criterion_3_at",
    "t88"."criterion_4_at",
    "t88"."criterion_5_at",
    "t88"."rule_satisfied_at",
    "t88"."active_days",
    "t88"."active_days_satisfied_at",
    "t88"."fit_free_email",
    "t88"."fit_employees",
    "t88"."last_seen_at",
    "t88"."fit",
    "t88"."qualified_at",
    CASE
      WHEN (
        "t88"."qualified_at" IS NOT NULL
      ) AND (
        "t88"."converted_at" IS NOT NULL
      )
      THEN 'converted_pql'
      WHEN (
        "t88"."qualified_at" IS NOT NULL
      ) AND TRUE
      THEN 'pql'
      WHEN "t88"."qualified_at" IS NOT NULL
      THEN 'lapsed'
      WHEN "t88"."converted_at" IS NOT NULL
      THEN 'converted_without_qualifying'
      WHEN NOT (
        "t88"."fit"
      )
      THEN 'failed_fit'
      ELSE 'not_qualified'
    END AS "status"
  FROM (
    SELECT
      "t87"."entity_id",
      "t87"."signup_at",
      "t87"."converted_at",
      "t87"."criterion_0_at",
      "t87"."criterion_1_at",
      "t87"."criterion_2_at",
      "t87"."criterion_3_at",
      "t87"."criterion_4_at",
      "t87"."criterion_5_at",
      "t87"."rule_satisfied_at",
      COALESCE("t87"."active_days", 0) AS "active_days",
      "t87"."active_days_satisfied_at",
      "t87"."fit_free_email",
      "t87"."fit_employees",
      CAST(NULL AS TIMESTAMP) AS "last_seen_at",
      COALESCE("t87"."fit_free_email", TRUE) AND COALESCE("t87"."fit_employees", TRUE) AS "fit",
      CASE
        WHEN (
          "t87"."converted_at" IS NOT NULL
        )
        AND (
          "t87"."converted_at" <= CASE
            WHEN COALESCE("t87"."fit_free_email", TRUE) AND COALESCE("t87"."fit_employees", TRUE)
            THEN CASE
              WHEN (
                "t87"."rule_satisfied_at" IS NULL
              )
              OR (
                "t87"."active_days_satisfied_at" IS NULL
              )
              THEN CAST(NULL AS TIMESTAMP)
              ELSE GREATEST("t87"."rule_satisfied_at", "t87"."active_days_satisfied_at")
            END
            ELSE CAST(NULL AS TIMESTAMP)
          END
        )
        THEN CAST(NULL AS TIMESTAMP)
        ELSE CASE
          WHEN COALESCE("t87"."fit_free_email", TRUE) AND COALESCE("t87"."fit_employees", TRUE)
          THEN CASE
            WHEN (
              "t87"."rule_satisfied_at" IS NULL
            )
            OR (
              "t87"."active_days_satisfied_at" IS NULL
            )
            THEN CAST(NULL AS TIMESTAMP)
            ELSE GREATEST("t87"."rule_satisfied_at", "t87"."active_days_satisfied_at")
          END
          ELSE CAST(NULL AS TIMESTAMP)
        END
      END AS "qualified_at"
    FROM (
      SELECT
        "t86".*
        EXCLUDE ("f_id")
      FROM (
        SELECT
          "t85"."entity_id",
          "t85"."signup_at",
          "t85"."converted_at",
          "t85"."criterion_0_at",
          "t85"."criterion_1_at",
          "t85"."criterion_2_at",
          "t85"."criterion_3_at",
          "t85"."criterion_4_at",
          "t85"."criterion_5_at",
          "t85"."rule_satisfied_at",
          "t85"."active_days",
          "t85"."active_days_satisfied_at",
          "t16"."f_id",
          "t16"."fit_free_email",
          "t16"."fit_employees"
        FROM (
          SELECT
            "t83".*
            EXCLUDE ("a_id")
          FROM (
            SELECT
              "t73"."entity_id",
              "t73"."signup_at",
              "t73"."converted_at",
              "t73"."criterion_0_at",
              "t73"."criterion_1_at",
              "t73"."criterion_2_at",
              "t73"."criterion_3_at",
              "t73"."criterion_4_at",
              "t73"."criterion_5_at",
              "t73"."rule_satisfied_at",
              "t82"."a_id",
              "t82"."active_days",
              "t82"."active_days_satisfied_at"
            FROM (
              SELECT
                "t71".*
                EXCLUDE ("c_id")
              FROM (
                SELECT
                  "t57"."entity_id",
                  "t57"."signup_at",
                  "t57"."converted_at",
                  "t68"."c_id",
                  "t68"."criterion_0_at",
                  "t68"."criterion_1_at",
                  "t68"."criterion_2_at",
                  "t68"."criterion_3_at",
                  "t68"."criterion_4_at",
                  "t68"."criterion_5_at",
                  "t68"."rule_satisfied_at"
                FROM (
                  SELECT
                    *
                  FROM "t53" AS "t54"
                  WHERE
                    "t54"."signup_at" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
                ) AS "t57"
                LEFT OUTER JOIN "t66" AS "t68"
                  ON "t57"."entity_id" = "t68"."c_id"
              ) AS "t71"
            ) AS "t73"
            LEFT OUTER JOIN (
              SELECT
                "t80"."entity_id" AS "a_id",
                COUNT("t80"."first_ts") AS "active_days",
                LIST_EXTRACT(MIN("t80"."first_ts", 2) FILTER(WHERE
                  "t80"."first_ts" IS NOT NULL), 2) AS "active_days_satisfied_at"
              FROM (
                SELECT
                  "t79"."entity_id",
                  DATE_TRUNC('DAY', "t79"."ts") AS "day",
                  MIN("t79"."ts") AS "first_ts"
                FROM (
                  SELECT
                    "t78"."entity_id",
                    "t78"."ts",
                    "t78"."a_signup" AS "signup_at",
                    "t78"."a_converted" AS "converted_at"
                  FROM (
                    SELECT
                      "t77".*
                      EXCLUDE ("a_entity")
                    FROM (
                      SELECT
                        *
                      FROM (
                        SELECT
                          "t36"."entity_id",
                          "t36"."ts",
                          "t75"."a_entity",
                          "t75"."a_signup",
                          "t75"."a_converted"
                        FROM (
                          SELECT
                            *
                          FROM (
                            SELECT
                              "t19"."account_id" AS "entity_id",
                              "t19"."ts"
                            FROM (
                              SELECT
                                "t17".*
                                EXCLUDE ("_pql_copy")
                              FROM (
                                SELECT
                                  *
                                FROM (
                                  SELECT
                                    "t2"."event_id",
                                    "t2"."user_id",
                                    "t2"."account_id",
                                    "t2"."event",
                                    "t2"."ts",
                                    "t2"."properties",
                                    ROW_NUMBER() OVER (
                                      PARTITION BY "t2"."event_id"
                                      ORDER BY "t2"."ts" ASC, "t2"."user_id" ASC, "t2"."account_id" ASC, "t2"."event" ASC, CAST("t2"."properties" AS TEXT) ASC
                                      ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                                    ) - 1 AS "_pql_copy"
                                  FROM "events" AS "t2"
                                ) AS "t15"
                                WHERE
                                  (
                                    "t15"."_pql_copy" = 0
                                  ) OR (
                                    "t15"."event_id" IS NULL
                                  )
                              ) AS "t17"
                            ) AS "t19"
                            WHERE
                              "t19"."ts" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
                              AND "t19"."account_id" IS NOT NULL
                          ) AS "t21"
                          UNION ALL
                          SELECT
                            *
                          FROM (
                            SELECT
                              "t9"."member_account" AS "entity_id",
                              "t27"."ts"
                            FROM (
                              SELECT
                                "t19"."user_id",
                                "t19"."account_id",
                                "t19"."ts"
                              FROM (
                                SELECT
                                  "t17".*
                                  EXCLUDE ("_pql_copy")
                                FROM (
                                  SELECT
                                    *
                                  FROM (
                                    SELECT
                                      "t2"."event_id",
                                      "t2"."user_id",
                                      "t2"."account_id",
                                      "t2"."event",
                                      "t2"."ts",
                                      "t2"."properties",
                                      ROW_NUMBER() OVER (
                                        PARTITION BY "t2"."event_id"
                                        ORDER BY "t2"."ts" ASC, "t2"."user_id" ASC, "t2"."account_id" ASC, "t2"."event" ASC, CAST("t2"."properties" AS TEXT) ASC
                                        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                                      ) - 1 AS "_pql_copy"
                                    FROM "events" AS "t2"
                                  ) AS "t15"
                                  WHERE
                                    (
                                      "t15"."_pql_copy" = 0
                                    ) OR (
                                      "t15"."event_id" IS NULL
                                    )
                                ) AS "t17"
                              ) AS "t19"
                              WHERE
                                "t19"."ts" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
                                AND "t19"."account_id" IS NULL
                            ) AS "t27"
                            INNER JOIN (
                              SELECT
                                "t1"."user_id" AS "member_id",
                                "t1"."account_id" AS "member_account"
                              FROM "users" AS "t1"
                              WHERE
                                "t1"."account_id" IS NOT NULL
                            ) AS "t9"
                              ON "t27"."user_id" = "t9"."member_id"
                          ) AS "t30"
                        ) AS "t36"
                        INNER JOIN (
                          SELECT
                            "t58"."a_entity",
                            "t58"."a_signup",
                            "t58"."a_converted"
                          FROM (
                            SELECT
                              "t54"."entity_id" AS "a_entity",
                              "t54"."signup_at" AS "a_signup",
                              "t54"."converted_at" AS "a_converted"
                            FROM "t53" AS "t54"
                            WHERE
                              "t54"."signup_at" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
                          ) AS "t58"
                          ANTI JOIN (
                            SELECT
                              *
                            FROM "t11" AS "t13"
                            WHERE
                              NOT (
                                COALESCE("t13"."fit_free_email", TRUE) AND COALESCE("t13"."fit_employees", TRUE)
                              )
                          ) AS "t20"
                            ON "t58"."a_entity" = "t20"."f_id"
                          SEMI JOIN (
                            SELECT
                              *
                            FROM "t66" AS "t67"
                            WHERE
                              "t67"."rule_satisfied_at" IS NOT NULL
                          ) AS "t70"
                            ON "t58"."a_entity" = "t70"."c_id"
                        ) AS "t75"
                          ON "t36"."entity_id" = "t75"."a_entity"
                      ) AS "t76"
                      WHERE
                        "t76"."ts" >= "t76"."a_signup"
                    ) AS "t77"
                  ) AS "t78"
                ) AS "t79"
                GROUP BY
                  1,
                  2
              ) AS "t80"
              GROUP BY
                1
            ) AS "t82"
              ON "t73"."entity_id" = "t82"."a_id"
          ) AS "t83"
        ) AS "t85"
        LEFT OUTER JOIN "t11" AS "t16"
          ON "t85"."entity_id" = "t16"."f_id"
      ) AS "t86"
    ) AS "t87"
  ) AS "t88"
)
SELECT
  *
FROM (
  SELECT
    *
  FROM (
    SELECT
      CAST(EXTRACT(year FROM "t93"."cohort_start") AS TEXT) || '-' || CASE
        WHEN 2 <= LENGTH(CAST(EXTRACT(month FROM "t93"."cohort_start") AS TEXT))
        THEN CAST(EXTRACT(month FROM "t93"."cohort_start") AS TEXT)
        ELSE REPEAT('0', 2 - LENGTH(CAST(EXTRACT(month FROM "t93"."cohort_start") AS TEXT))) || CAST(EXTRACT(month FROM "t93"."cohort_start") AS TEXT)
      END AS "cohort",
      "t93"."cohort_start",
      "t93"."complete",
      "t93"."signups",
      COALESCE("t93"."pqls", 0) AS "pqls",
      COALESCE("t93"."converted_pqls", 0) AS "converted_pqls",
      "t93"."signups" - COALESCE("t93"."pqls", 0) AS "non_pql_signups",
      COALESCE("t93"."non_pql_converted", 0) AS "non_pql_converted",
      "t93"."p25" AS "time_to_pql_days_p25",
      "t93"."median" AS "time_to_pql_days_median",
      "t93"."p75" AS "time_to_pql_days_p75"
    FROM (
      SELECT
        "t91"."cohort_start",
        "t91"."complete",
        COUNT(*) AS "signups",
        SUM(CAST("t91"."is_pql" AS INT)) AS "pqls",
        SUM(CAST("t91"."converted_pql" AS INT)) AS "converted_pqls",
        SUM(CAST("t91"."non_pql_converted" AS INT)) AS "non_pql_converted",
        QUANTILE_CONT("t91"."days_to_pql", 0.5) FILTER(WHERE
          "t91"."is_pql") AS "median",
        QUANTILE_CONT("t91"."days_to_pql", 0.25) FILTER(WHERE
          "t91"."is_pql") AS "p25",
        QUANTILE_CONT("t91"."days_to_pql", 0.75) FILTER(WHERE
          "t91"."is_pql") AS "p75"
      FROM (
        SELECT
          "t90"."entity_id",
          "t90"."signup_at",
          "t90"."converted_at",
          "t90"."criterion_0_at",
          "t90"."criterion_1_at",
          "t90"."criterion_2_at",
          "t90"."criterion_3_at",
          "t90"."criterion_4_at",
          "t90"."criterion_5_at",
          "t90"."rule_satisfied_at",
          "t90"."active_days",
          "t90"."active_days_satisfied_at",
          "t90"."fit_free_email",
          "t90"."fit_employees",
          "t90"."last_seen_at",
          "t90"."fit",
          "t90"."qualified_at",
          "t90"."status",
          CASE
            WHEN "t90"."qualified_at" IS NOT NULL
            THEN CAST(["t90"."qualified_at"] AS TIMESTAMP[])
            ELSE CAST(NULL AS TIMESTAMP[])
          END AS "episode_starts",
          CASE
            WHEN "t90"."status" = 'converted_pql'
            THEN CAST(["t90"."converted_at"] AS TIMESTAMP(6)[])
            ELSE CAST(NULL AS TIMESTAMP[])
          END AS "episode_ends",
          CASE
            WHEN "t90"."status" = 'pql'
            THEN "t90"."qualified_at"
            ELSE CAST(NULL AS TIMESTAMP)
          END AS "pql_since",
          CAST(NULL AS TIMESTAMP) AS "lapsed_at",
          CAST(NULL AS TIMESTAMP) AS "next_change_at",
          CAST(NULL AS TEXT) AS "segment",
          DATE_TRUNC('MONTH', "t90"."signup_at") AS "cohort_start",
          (
            DATE_TRUNC('MONTH', "t90"."signup_at") + INTERVAL '1' MONTH + INTERVAL '30' DAY
          ) <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0) AS "complete",
          (
            "t90"."qualified_at" IS NOT NULL
          )
          AND (
            "t90"."qualified_at" <= (
              "t90"."signup_at" + INTERVAL '30' DAY
            )
          ) AS "is_pql",
          (
            "t90"."qualified_at" IS NOT NULL
          )
          AND (
            "t90"."qualified_at" <= (
              "t90"."signup_at" + INTERVAL '30' DAY
            )
          )
          AND (
            "t90"."converted_at" > "t90"."qualified_at"
          )
          AND (
            "t90"."converted_at" <= (
              "t90"."qualified_at" + INTERVAL '90' DAY
            )
          ) AS "converted_pql",
          NOT (
            (
              "t90"."qualified_at" IS NOT NULL
            )
            AND (
              "t90"."qualified_at" <= (
                "t90"."signup_at" + INTERVAL '30' DAY
              )
            )
          )
          AND (
            "t90"."converted_at" IS NOT NULL
          )
          AND (
            "t90"."converted_at" <= (
              "t90"."signup_at" + INTERVAL '120' DAY
            )
          ) AS "non_pql_converted",
          CAST(DATE_DIFF('MICROSECOND', "t90"."signup_at", "t90"."qualified_at") AS DOUBLE) / 86400000000 AS "days_to_pql"
        FROM "t89" AS "t90"
      ) AS "t91"
      GROUP BY
        1,
        2
    ) AS "t93"
  ) AS "t96"
  UNION ALL
  SELECT
    *
  FROM (
    SELECT
      CAST(NULL AS TEXT) AS "cohort",
      CAST(NULL AS TIMESTAMP) AS "cohort_start",
      TRUE AS "complete",
      "t94"."signups",
      COALESCE("t94"."pqls", 0) AS "pqls",
      COALESCE("t94"."converted_pqls", 0) AS "converted_pqls",
      "t94"."signups" - COALESCE("t94"."pqls", 0) AS "non_pql_signups",
      COALESCE("t94"."non_pql_converted", 0) AS "non_pql_converted",
      "t94"."p25" AS "time_to_pql_days_p25",
      "t94"."median" AS "time_to_pql_days_median",
      "t94"."p75" AS "time_to_pql_days_p75"
    FROM (
      SELECT
        COUNT(*) AS "signups",
        SUM(CAST("t92"."is_pql" AS INT)) AS "pqls",
        SUM(CAST("t92"."converted_pql" AS INT)) AS "converted_pqls",
        SUM(CAST("t92"."non_pql_converted" AS INT)) AS "non_pql_converted",
        QUANTILE_CONT("t92"."days_to_pql", 0.5) FILTER(WHERE
          "t92"."is_pql") AS "median",
        QUANTILE_CONT("t92"."days_to_pql", 0.25) FILTER(WHERE
          "t92"."is_pql") AS "p25",
        QUANTILE_CONT("t92"."days_to_pql", 0.75) FILTER(WHERE
          "t92"."is_pql") AS "p75"
      FROM (
        SELECT
          "t90"."entity_id",
          "t90"."signup_at",
          "t90"."converted_at",
          "t90"."criterion_0_at",
          "t90"."criterion_1_at",
          "t90"."criterion_2_at",
          "t90"."criterion_3_at",
          "t90"."criterion_4_at",
          "t90"."criterion_5_at",
          "t90"."rule_satisfied_at",
          "t90"."active_days",
          "t90"."active_days_satisfied_at",
          "t90"."fit_free_email",
          "t90"."fit_employees",
          "t90"."last_seen_at",
          "t90"."fit",
          "t90"."qualified_at",
          "t90"."status",
          CASE
            WHEN "t90"."qualified_at" IS NOT NULL
            THEN CAST(["t90"."qualified_at"] AS TIMESTAMP[])
            ELSE CAST(NULL AS TIMESTAMP[])
          END AS "episode_starts",
          CASE
            WHEN "t90"."status" = 'converted_pql'
            THEN CAST(["t90"."converted_at"] AS TIMESTAMP(6)[])
            ELSE CAST(NULL AS TIMESTAMP[])
          END AS "episode_ends",
          CASE
            WHEN "t90"."status" = 'pql'
            THEN "t90"."qualified_at"
            ELSE CAST(NULL AS TIMESTAMP)
          END AS "pql_since",
          CAST(NULL AS TIMESTAMP) AS "lapsed_at",
          CAST(NULL AS TIMESTAMP) AS "next_change_at",
          CAST(NULL AS TEXT) AS "segment",
          DATE_TRUNC('MONTH', "t90"."signup_at") AS "cohort_start",
          (
            DATE_TRUNC('MONTH', "t90"."signup_at") + INTERVAL '1' MONTH + INTERVAL '30' DAY
          ) <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0) AS "complete",
          (
            "t90"."qualified_at" IS NOT NULL
          )
          AND (
            "t90"."qualified_at" <= (
              "t90"."signup_at" + INTERVAL '30' DAY
            )
          ) AS "is_pql",
          (
            "t90"."qualified_at" IS NOT NULL
          )
          AND (
            "t90"."qualified_at" <= (
              "t90"."signup_at" + INTERVAL '30' DAY
            )
          )
          AND (
            "t90"."converted_at" > "t90"."qualified_at"
          )
          AND (
            "t90"."converted_at" <= (
              "t90"."qualified_at" + INTERVAL '90' DAY
            )
          ) AS "converted_pql",
          NOT (
            (
              "t90"."qualified_at" IS NOT NULL
            )
            AND (
              "t90"."qualified_at" <= (
                "t90"."signup_at" + INTERVAL '30' DAY
              )
            )
          )
          AND (
            "t90"."converted_at" IS NOT NULL
          )
          AND (
            "t90"."converted_at" <= (
              "t90"."signup_at" + INTERVAL '120' DAY
            )
          ) AS "non_pql_converted",
          CAST(DATE_DIFF('MICROSECOND', "t90"."signup_at", "t90"."qualified_at") AS DOUBLE) / 86400000000 AS "days_to_pql"
        FROM "t89" AS "t90"
        WHERE
          (
            DATE_TRUNC('MONTH', "t90"."signup_at") + INTERVAL '1' MONTH + INTERVAL '30' DAY
          ) <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
      ) AS "t92"
    ) AS "t94"
  ) AS "t95"
) AS "t97"
ORDER BY
  "t97"."cohort_start" ASC;

-- pql_count_by_period: PQLs per month of qualified_at, whatever their cohort
WITH "t11" AS (
  SELECT
    "t0"."account_id" AS "f_id",
    NOT (
      LOWER("t0"."domain") IN (
        'gmail.com',
        'googlemail.com',
        'yahoo.com',
        'yahoo.co.uk',
        'outlook.com',
        'hotmail.com',
        'live.com',
        'msn.com',
        'icloud.com',
        'me.com',
        'mac.com',
        'aol.com',
        'proton.me',
        'protonmail.com',
        'gmx.com',
        'gmx.de',
        'mail.com',
        'yandex.com',
        'yandex.ru',
        'zoho.com',
        'hey.com',
        'fastmail.com',
        'web.de',
        'qq.com',
        '163.com'
      )
    ) AS "fit_free_email",
    "t0"."employees" >= 5 AS "fit_employees"
  FROM "accounts" AS "t0"
), "t38" AS (
  SELECT
    "t34"."entity_id",
    MIN("t34"."ts") AS "first_event_at",
    MIN("t34"."ts") FILTER(WHERE
      "t34"."event" = 'Subscription Started') AS "converted_at"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t19"."account_id" AS "entity_id",
        "t19"."event",
        "t19"."ts"
      FROM (
        SELECT
          "t17".*
          EXCLUDE ("_pql_copy")
        FROM (
          SELECT
            *
          FROM (
            SELECT
              "t2"."event_id",
              "t2"."user_id",
              "t2"."account_id",
              "t2"."event",
              "t2"."ts",
              "t2"."properties",
              ROW_NUMBER() OVER (
                PARTITION BY "t2"."event_id"
                ORDER BY "t2"."ts" ASC, "t2"."user_id" ASC, "t2"."account_id" ASC, "t2"."event" ASC, CAST("t2"."properties" AS TEXT) ASC
                ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
              ) - 1 AS "_pql_copy"
            FROM "events" AS "t2"
          ) AS "t15"
          WHERE
            (
              "t15"."_pql_copy" = 0
            ) OR (
              "t15"."event_id" IS NULL
            )
        ) AS "t17"
      ) AS "t19"
      WHERE
        "t19"."ts" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
        AND "t19"."account_id" IS NOT NULL
    ) AS "t23"
    UNION ALL
    SELECT
      *
    FROM (
      SELECT
        "t9"."member_account" AS "entity_id",
        "t28"."event",
        "t28"."ts"
      FROM (
        SELECT
          "t19"."user_id",
          "t19"."account_id",
          "t19"."event",
          "t19"."ts"
        FROM (
          SELECT
            "t17".*
            EXCLUDE ("_pql_copy")
          FROM (
            SELECT
              *
            FROM (
              SELECT
                "t2"."event_id",
                "t2"."user_id",
                "t2"."account_id",
                "t2"."event",
                "t2"."ts",
                "t2"."properties",
                ROW_NUMBER() OVER (
                  PARTITION BY "t2"."event_id"
                  ORDER BY "t2"."ts" ASC, "t2"."user_id" ASC, "t2"."account_id" ASC, "t2"."event" ASC, CAST("t2"."properties" AS TEXT) ASC
                  ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                ) - 1 AS "_pql_copy"
              FROM "events" AS "t2"
            ) AS "t15"
            WHERE
              (
                "t15"."_pql_copy" = 0
              ) OR (
                "t15"."event_id" IS NULL
              )
          ) AS "t17"
        ) AS "t19"
        WHERE
          "t19"."ts" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
          AND "t19"."account_id" IS NULL
      ) AS "t28"
      INNER JOIN (
        SELECT
          "t1"."user_id" AS "member_id",
          "t1"."account_id" AS "member_account"
        FROM "users" AS "t1"
        WHERE
          "t1"."account_id" IS NOT NULL
      ) AS "t9"
        ON "t28"."user_id" = "t9"."member_id"
    ) AS "t31"
  ) AS "t34"
  GROUP BY
    1
), "t53" AS (
  SELECT
    "t52"."entity_id",
    COALESCE("t52"."signup_0", "t52"."signup_1", "t44"."first_event_at") AS "signup_at",
    "t45"."converted_at"
  FROM (
    SELECT
      "t50"."entity_id",
      "t50"."signup_0",
      "t50"."signup_1"
    FROM (
      SELECT
        "t49"."entity_id",
        "t49"."signup_0",
        "t14"."id_1",
        "t14"."signup_1"
      FROM (
        SELECT
          "t47"."entity_id",
          "t47"."signup_0"
        FROM (
          SELECT
            "t46"."entity_id",
            "t5"."id_0",
            "t5"."signup_0"
          FROM (
            SELECT
              *
            FROM (
              SELECT
                *
              FROM (
                SELECT
                  "t0"."account_id" AS "entity_id"
                FROM "accounts" AS "t0"
              ) AS "t3"
              UNION
              SELECT
                *
              FROM (
                SELECT
                  "t1"."account_id" AS "entity_id"
                FROM "users" AS "t1"
                WHERE
                  "t1"."account_id" IS NOT NULL
              ) AS "t7"
            ) AS "t10"
            UNION
            SELECT
              *
            FROM (
              SELECT
                "t39"."entity_id"
              FROM "t38" AS "t39"
            ) AS "t40"
          ) AS "t46"
          LEFT OUTER JOIN (
            SELECT
              "t0"."account_id" AS "id_0",
              "t0"."created_at" AS "signup_0"
            FROM "accounts" AS "t0"
          ) AS "t5"
            ON "t46"."entity_id" = "t5"."id_0"
        ) AS "t47"
      ) AS "t49"
      LEFT OUTER JOIN (
        SELECT
          "t8"."entity_id" AS "id_1",
          "t8"."value" AS "signup_1"
        FROM (
          SELECT
            "t1"."account_id" AS "entity_id",
            MIN("t1"."signed_up_at") AS "value"
          FROM "users" AS "t1"
          GROUP BY
            1
        ) AS "t8"
      ) AS "t14"
        ON "t49"."entity_id" = "t14"."id_1"
    ) AS "t50"
  ) AS "t52"
  LEFT OUTER JOIN (
    SELECT
      "t39"."entity_id" AS "fe_id",
      "t39"."first_event_at"
    FROM "t38" AS "t39"
  ) AS "t44"
    ON "t52"."entity_id" = "t44"."fe_id"
  LEFT OUTER JOIN (
    SELECT
      "t39"."entity_id" AS "conv_entity_id",
      "t39"."converted_at"
    FROM "t38" AS "t39"
  ) AS "t45"
    ON "t52"."entity_id" = "t45"."conv_entity_id"
), "t66" AS (
  SELECT
    "t65"."c_id",
    "t65"."criterion_0_at",
    "t65"."criterion_1_at",
    "t65"."criterion_2_at",
    "t65"."criterion_3_at",
    "t65"."criterion_4_at",
    "t65"."criterion_5_at",
    NULLIF(
      LEAST(
        CASE
          WHEN (
            0.0 + CASE WHEN "t65"."criterion_0_at" <= "t65"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_1_at" <= "t65"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_2_at" <= "t65"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_3_at" <= "t65"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_4_at" <= "t65"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_5_at" <= "t65"."criterion_0_at" THEN 1.0 ELSE 0.0 END
          ) >= 2.999999999
          THEN "t65"."criterion_0_at"
          ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
        END,
        CASE
          WHEN (
            0.0 + CASE WHEN "t65"."criterion_0_at" <= "t65"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_1_at" <= "t65"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_2_at" <= "t65"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_3_at" <= "t65"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_4_at" <= "t65"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_5_at" <= "t65"."criterion_1_at" THEN 1.0 ELSE 0.0 END
          ) >= 2.999999999
          THEN "t65"."criterion_1_at"
          ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
        END,
        CASE
          WHEN (
            0.0 + CASE WHEN "t65"."criterion_0_at" <= "t65"."criterion_2_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_1_at" <= "t65"."criterion_2_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_2_at" <= "t65"."criterion_2_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_3_at" <= "t65"."criterion_2_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_4_at" <= "t65"."criterion_2_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_5_at" <= "t65"."criterion_2_at" THEN 1.0 ELSE 0.0 END
          ) >= 2.999999999
          THEN "t65"."criterion_2_at"
          ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
        END,
        CASE
          WHEN (
            0.0 + CASE WHEN "t65"."criterion_0_at" <= "t65"."criterion_3_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_1_at" <= "t65"."criterion_3_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_2_at" <= "t65"."criterion_3_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_3_at" <= "t65"."criterion_3_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_4_at" <= "t65"."criterion_3_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_5_at" <= "t65"."criterion_3_at" THEN 1.0 ELSE 0.0 END
          ) >= 2.999999999
          THEN "t65"."criterion_3_at"
          ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
        END,
        CASE
          WHEN (
            0.0 + CASE WHEN "t65"."criterion_0_at" <= "t65"."criterion_4_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_1_at" <= "t65"."criterion_4_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_2_at" <= "t65"."criterion_4_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_3_at" <= "t65"."criterion_4_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_4_at" <= "t65"."criterion_4_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_5_at" <= "t65"."criterion_4_at" THEN 1.0 ELSE 0.0 END
          ) >= 2.999999999
          THEN "t65"."criterion_4_at"
          ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
        END,
        CASE
          WHEN (
            0.0 + CASE WHEN "t65"."criterion_0_at" <= "t65"."criterion_5_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_1_at" <= "t65"."criterion_5_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_2_at" <= "t65"."criterion_5_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_3_at" <= "t65"."criterion_5_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_4_at" <= "t65"."criterion_5_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t65"."criterion_5_at" <= "t65"."criterion_5_at" THEN 1.0 ELSE 0.0 END
          ) >= 2.999999999
          THEN "t65"."criterion_5_at"
          ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
        END
      ),
      MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
    ) AS "rule_satisfied_at"
  FROM (
    SELECT
      "t64"."entity_id" AS "c_id",
      MIN("t64"."ts") FILTER(WHERE
        "t64"."event" = 'Invited Member') AS "criterion_0_at",
      LIST_EXTRACT(MIN("t64"."ts", 2) FILTER(WHERE
        "t64"."event" = 'Created Document'), 2) AS "criterion_1_at",
      MIN("t64"."ts") FILTER(WHERE
        CASE
          WHEN "t64"."event" = 'Shared Document'
          THEN "t64"."ts" < (
            "t64"."signup_at" + INTERVAL '14' DAY
          )
          ELSE FALSE
        END) AS "criterion_2_at",
      LIST_EXTRACT(MIN("t64"."ts", 3) FILTER(WHERE
        "t64"."event" = 'Uploaded Asset'), 3) AS "criterion_3_at",
      LIST_EXTRACT(
        MIN("t64"."ts", 3) FILTER(WHERE
          CASE
            WHEN "t64"."event" = 'Added Task'
            THEN COALESCE((
              "t64"."properties" ->> '$.source'
            ) IN ('web'), FALSE)
            ELSE FALSE
          END),
        3
      ) AS "criterion_4_at",
      MIN("t64"."ts") FILTER(WHERE
        "t64"."event" = 'Created Calendar') AS "criterion_5_at"
    FROM (
      SELECT
        "t63"."entity_id",
        "t63"."event",
        "t63"."properties",
        "t63"."ts",
        "t63"."a_signup" AS "signup_at",
        "t63"."a_converted" AS "converted_at"
      FROM (
        SELECT
          "t62".*
          EXCLUDE ("a_entity")
        FROM (
          SELECT
            *
          FROM (
            SELECT
              "t37"."entity_id",
              "t37"."event",
              "t37"."properties",
              "t37"."ts",
              "t60"."a_entity",
              "t60"."a_signup",
              "t60"."a_converted"
            FROM (
              SELECT
                *
              FROM (
                SELECT
                  "t19"."account_id" AS "entity_id",
                  "t19"."event",
                  "t19"."properties",
                  "t19"."ts"
                FROM (
                  SELECT
                    "t17".*
                    EXCLUDE ("_pql_copy")
                  FROM (
                    SELECT
                      *
                    FROM (
                      SELECT
                        "t2"."event_id",
                        "t2"."user_id",
                        "t2"."account_id",
                        "t2"."event",
                        "t2"."ts",
                        "t2"."properties",
                        ROW_NUMBER() OVER (
                          PARTITION BY "t2"."event_id"
                          ORDER BY "t2"."ts" ASC, "t2"."user_id" ASC, "t2"."account_id" ASC, "t2"."event" ASC, CAST("t2"."properties" AS TEXT) ASC
                          ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                        ) - 1 AS "_pql_copy"
                      FROM "events" AS "t2"
                    ) AS "t15"
                    WHERE
                      (
                        "t15"."_pql_copy" = 0
                      ) OR (
                        "t15"."event_id" IS NULL
                      )
                  ) AS "t17"
                ) AS "t19"
                WHERE
                  "t19"."ts" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
                  AND ARRAY_CONTAINS(
                    [
                      'Added Task',
                      'Created Calendar',
                      'Created Document',
                      'Invited Member',
                      'Shared Document',
                      'Uploaded Asset'
                    ],
                    "t19"."event"
                  )
                  AND "t19"."account_id" IS NOT NULL
              ) AS "t25"
              UNION ALL
              SELECT
                *
              FROM (
                SELECT
                  "t9"."member_account" AS "entity_id",
                  "t29"."event",
                  "t29"."properties",
                  "t29"."ts"
                FROM (
                  SELECT
                    "t19"."user_id",
                    "t19"."account_id",
                    "t19"."event",
                    "t19"."properties",
                    "t19"."ts"
                  FROM (
                    SELECT
                      "t17".*
                      EXCLUDE ("_pql_copy")
                    FROM (
                      SELECT
                        *
                      FROM (
                        SELECT
                          "t2"."event_id",
                          "t2"."user_id",
                          "t2"."account_id",
                          "t2"."event",
                          "t2"."ts",
                          "t2"."properties",
                          ROW_NUMBER() OVER (
                            PARTITION BY "t2"."event_id"
                            ORDER BY "t2"."ts" ASC, "t2"."user_id" ASC, "t2"."account_id" ASC, "t2"."event" ASC, CAST("t2"."properties" AS TEXT) ASC
                            ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                          ) - 1 AS "_pql_copy"
                        FROM "events" AS "t2"
                      ) AS "t15"
                      WHERE
                        (
                          "t15"."_pql_copy" = 0
                        ) OR (
                          "t15"."event_id" IS NULL
                        )
                    ) AS "t17"
                  ) AS "t19"
                  WHERE
                    "t19"."ts" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
                    AND ARRAY_CONTAINS(
                      [
                        'Added Task',
                        'Created Calendar',
                        'Created Document',
                        'Invited Member',
                        'Shared Document',
                        'Uploaded Asset'
                      ],
                      "t19"."event"
                    )
                    AND "t19"."account_id" IS NULL
                ) AS "t29"
                INNER JOIN (
                  SELECT
                    "t1"."user_id" AS "member_id",
                    "t1"."account_id" AS "member_account"
                  FROM "users" AS "t1"
                  WHERE
                    "t1"."account_id" IS NOT NULL
                ) AS "t9"
                  ON "t29"."user_id" = "t9"."member_id"
              ) AS "t32"
            ) AS "t37"
            INNER JOIN (
              SELECT
                "t58"."a_entity",
                "t58"."a_signup",
                "t58"."a_converted"
              FROM (
                SELECT
                  "t54"."entity_id" AS "a_entity",
                  "t54"."signup_at" AS "a_signup",
                  "t54"."converted_at" AS "a_converted"
                FROM "t53" AS "t54"
                WHERE
                  "t54"."signup_at" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
              ) AS "t58"
              ANTI JOIN (
                SELECT
                  *
                FROM "t11" AS "t13"
                WHERE
                  NOT (
                    COALESCE("t13"."fit_free_email", TRUE) AND COALESCE("t13"."fit_employees", TRUE)
                  )
              ) AS "t20"
                ON "t58"."a_entity" = "t20"."f_id"
            ) AS "t60"
              ON "t37"."entity_id" = "t60"."a_entity"
          ) AS "t61"
          WHERE
            "t61"."ts" >= "t61"."a_signup"
        ) AS "t62"
      ) AS "t63"
      WHERE
        (
          "t63"."a_converted" IS NULL
        ) OR (
          "t63"."ts" < "t63"."a_converted"
        )
    ) AS "t64"
    GROUP BY
      1
  ) AS "t65"
), "t90" AS (
  SELECT
    "t89"."entity_id",
    "t89"."signup_at",
    "t89"."converted_at",
    "t89"."criterion_0_at",
    "t89"."criterion_1_at",
    "t89"."criterion_2_at",
    "t89"."criterion_3_at",
    "t89"."criterion_4_at",
    "t89"."criterion_5_at",
    "t89"."rule_satisfied_at",
    "t89"."active_days",
    "t89"."active_days_satisfied_at",
    "t89"."fit_free_email",
    "t89"."fit_employees",
    "t89"."last_seen_at",
    "t89"."fit",
    "t89"."qualified_at",
    "t89"."status",
    CASE
      WHEN "t89"."qualified_at" IS NOT NULL
      THEN CAST(["t89"."qualified_at"] AS TIMESTAMP[])
      ELSE CAST(NULL AS TIMESTAMP[])
    END AS "episode_starts",
    CASE
      WHEN "t89"."status" = 'converted_pql'
      THEN CAST(["t89"."converted_at"] AS TIMESTAMP(6)[])
      ELSE CAST(NULL AS TIMESTAMP[])
    END AS "episode_ends",
    CASE
      WHEN "t89"."status" = 'pql'
      THEN "t89"."qualified_at"
      ELSE CAST(NULL AS TIMESTAMP)
    END AS "pql_since",
    CAST(NULL AS TIMESTAMP) AS "lapsed_at",
    CAST(NULL AS TIMESTAMP) AS "next_change_at",
    CAST(NULL AS TEXT) AS "segment",
    DATE_TRUNC('MONTH', "t89"."signup_at") AS "cohort_start",
    (
      DATE_TRUNC('MONTH', "t89"."signup_at") + INTERVAL '1' MONTH + INTERVAL '30' DAY
    ) <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0) AS "complete",
    (
      "t89"."qualified_at" IS NOT NULL
    )
    AND (
      "t89"."qualified_at" <= (
        "t89"."signup_at" + INTERVAL '30' DAY
      )
    ) AS "is_pql",
    (
      "t89"."qualified_at" IS NOT NULL
    )
    AND (
      "t89"."qualified_at" <= (
        "t89"."signup_at" + INTERVAL '30' DAY
      )
    )
    AND (
      "t89"."converted_at" > "t89"."qualified_at"
    )
    AND (
      "t89"."converted_at" <= (
        "t89"."qualified_at" + INTERVAL '90' DAY
      )
    ) AS "converted_pql",
    NOT (
      (
        "t89"."qualified_at" IS NOT NULL
      )
      AND (
        "t89"."qualified_at" <= (
          "t89"."signup_at" + INTERVAL '30' DAY
        )
      )
    )
    AND (
      "t89"."converted_at" IS NOT NULL
    )
    AND (
      "t89"."converted_at" <= (
        "t89"."signup_at" + INTERVAL '120' DAY
      )
    ) AS "non_pql_converted",
    CAST(DATE_DIFF('MICROSECOND', "t89"."signup_at", "t89"."qualified_at") AS DOUBLE) / 86400000000 AS "days_to_pql"
  FROM (
    SELECT
      "t88"."entity_id",
      "t88"."signup_at",
      "t88"."converted_at",
      "t88"."criterion_0_at",
      "t88"."criterion_1_at",
      "t88"."criterion_2_at",
      "t88"."criterion_3_at",
      "t88"."criterion_4_at",
      "t88"."criterion_5_at",
      "t88"."rule_satisfied_at",
      "t88"."active_days",
      "t88"."active_days_satisfied_at",
      "t88"."fit_free_email",
      "t88"."fit_employees",
      "t88"."last_seen_at",
      "t88"."fit",
      "t88"."qualified_at",
      CASE
        WHEN (
          "t88"."qualified_at" IS NOT NULL
        ) AND (
          "t88"."converted_at" IS NOT NULL
        )
        THEN 'converted_pql'
        WHEN (
          "t88"."qualified_at" IS NOT NULL
        ) AND TRUE
        THEN 'pql'
        WHEN "t88"."qualified_at" IS NOT NULL
        THEN 'lapsed'
        WHEN "t88"."converted_at" IS NOT NULL
        THEN 'converted_without_qualifying'
        WHEN NOT (
          "t88"."fit"
        )
        THEN 'failed_fit'
        ELSE 'not_qualified'
      END AS "status"
    FROM (
      SELECT
        "t87"."entity_id",
        "t87"."signup_at",
        "t87"."converted_at",
        "t87"."criterion_0_at",
        "t87"."criterion_1_at",
        "t87"."criterion_2_at",
        "t87"."criterion_3_at",
        "t87"."criterion_4_at",
        "t87"."criterion_5_at",
        "t87"."rule_satisfied_at",
        COALESCE("t87"."active_days", 0) AS "active_days",
        "t87"."active_days_satisfied_at",
        "t87"."fit_free_email",
        "t87"."fit_employees",
        CAST(NULL AS TIMESTAMP) AS "last_seen_at",
        COALESCE("t87"."fit_free_email", TRUE) AND COALESCE("t87"."fit_employees", TRUE) AS "fit",
        CASE
          WHEN (
            "t87"."converted_at" IS NOT NULL
          )
          AND (
            "t87"."converted_at" <= CASE
              WHEN COALESCE("t87"."fit_free_email", TRUE) AND COALESCE("t87"."fit_employees", TRUE)
              THEN CASE
                WHEN (
                  "t87"."rule_satisfied_at" IS NULL
                )
                OR (
                  "t87"."active_days_satisfied_at" IS NULL
                )
                THEN CAST(NULL AS TIMESTAMP)
                ELSE GREATEST("t87"."rule_satisfied_at", "t87"."active_days_satisfied_at")
              END
              ELSE CAST(NULL AS TIMESTAMP)
            END
          )
          THEN CAST(NULL AS TIMESTAMP)
          ELSE CASE
            WHEN COALESCE("t87"."fit_free_email", TRUE) AND COALESCE("t87"."fit_employees", TRUE)
            THEN CASE
              WHEN (
                "t87"."rule_satisfied_at" IS NULL
              )
              OR (
                "t87"."active_days_satisfied_at" IS NULL
              )
              THEN CAST(NULL AS TIMESTAMP)
              ELSE GREATEST("t87"."rule_satisfied_at", "t87"."active_days_satisfied_at")
            END
            ELSE CAST(NULL AS TIMESTAMP)
          END
        END AS "qualified_at"
      FROM (
        SELECT
          "t86".*
          EXCLUDE ("f_id")
        FROM (
          SELECT
            "t85"."entity_id",
            "t85"."signup_at",
            "t85"."converted_at",
            "t85"."criterion_0_at",
            "t85"."criterion_1_at",
            "t85"."criterion_2_at",
            "t85"."criterion_3_at",
            "t85"."criterion_4_at",
            "t85"."criterion_5_at",
            "t85"."rule_satisfied_at",
            "t85"."active_days",
            "t85"."active_days_satisfied_at",
            "t16"."f_id",
            "t16"."fit_free_email",
            "t16"."fit_employees"
          FROM (
            SELECT
              "t83".*
              EXCLUDE ("a_id")
            FROM (
              SELECT
                "t73"."entity_id",
                "t73"."signup_at",
                "t73"."converted_at",
                "t73"."criterion_0_at",
                "t73"."criterion_1_at",
                "t73"."criterion_2_at",
                "t73"."criterion_3_at",
                "t73"."criterion_4_at",
                "t73"."criterion_5_at",
                "t73"."rule_satisfied_at",
                "t82"."a_id",
                "t82"."active_days",
                "t82"."active_days_satisfied_at"
              FROM (
                SELECT
                  "t71".*
                  EXCLUDE ("c_id")
                FROM (
                  SELECT
                    "t57"."entity_id",
                    "t57"."signup_at",
                    "t57"."converted_at",
                    "t68"."c_id",
                    "t68"."criterion_0_at",
                    "t68"."criterion_1_at",
                    "t68"."criterion_2_at",
                    "t68"."criterion_3_at",
                    "t68"."criterion_4_at",
                    "t68"."criterion_5_at",
                    "t68"."rule_satisfied_at"
                  FROM (
                    SELECT
                      *
                    FROM "t53" AS "t54"
                    WHERE
                      "t54"."signup_at" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
                  ) AS "t57"
                  LEFT OUTER JOIN "t66" AS "t68"
                    ON "t57"."entity_id" = "t68"."c_id"
                ) AS "t71"
              ) AS "t73"
              LEFT OUTER JOIN (
                SELECT
                  "t80"."entity_id" AS "a_id",
                  COUNT("t80"."first_ts") AS "active_days",
                  LIST_EXTRACT(MIN("t80"."first_ts", 2) FILTER(WHERE
                    "t80"."first_ts" IS NOT NULL), 2) AS "active_days_satisfied_at"
                FROM (
                  SELECT
                    "t79"."entity_id",
                    DATE_TRUNC('DAY', "t79"."ts") AS "day",
                    MIN("t79"."ts") AS "first_ts"
                  FROM (
                    SELECT
                      "t78"."entity_id",
                      "t78"."ts",
                      "t78"."a_signup" AS "signup_at",
                      "t78"."a_converted" AS "converted_at"
                    FROM (
                      SELECT
                        "t77".*
                        EXCLUDE ("a_entity")
                      FROM (
                        SELECT
                          *
                        FROM (
                          SELECT
                            "t36"."entity_id",
                            "t36"."ts",
                            "t75"."a_entity",
                            "t75"."a_signup",
                            "t75"."a_converted"
                          FROM (
                            SELECT
                              *
                            FROM (
                              SELECT
                                "t19"."account_id" AS "entity_id",
                                "t19"."ts"
                              FROM (
                                SELECT
                                  "t17".*
                                  EXCLUDE ("_pql_copy")
                                FROM (
                                  SELECT
                                    *
                                  FROM (
                                    SELECT
                                      "t2"."event_id",
                                      "t2"."user_id",
                                      "t2"."account_id",
                                      "t2"."event",
                                      "t2"."ts",
                                      "t2"."properties",
                                      ROW_NUMBER() OVER (
                                        PARTITION BY "t2"."event_id"
                                        ORDER BY "t2"."ts" ASC, "t2"."user_id" ASC, "t2"."account_id" ASC, "t2"."event" ASC, CAST("t2"."properties" AS TEXT) ASC
                                        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                                      ) - 1 AS "_pql_copy"
                                    FROM "events" AS "t2"
                                  ) AS "t15"
                                  WHERE
                                    (
                                      "t15"."_pql_copy" = 0
                                    ) OR (
                                      "t15"."event_id" IS NULL
                                    )
                                ) AS "t17"
                              ) AS "t19"
                              WHERE
                                "t19"."ts" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
                                AND "t19"."account_id" IS NOT NULL
                            ) AS "t21"
                            UNION ALL
                            SELECT
                              *
                            FROM (
                              SELECT
                                "t9"."member_account" AS "entity_id",
                                "t27"."ts"
                              FROM (
                                SELECT
                                  "t19"."user_id",
                                  "t19"."account_id",
                                  "t19"."ts"
                                FROM (
                                  SELECT
                                    "t17".*
                                    EXCLUDE ("_pql_copy")
                                  FROM (
                                    SELECT
                                      *
                                    FROM (
                                      SELECT
                                        "t2"."event_id",
                                        "t2"."user_id",
                                        "t2"."account_id",
                                        "t2"."event",
                                        "t2"."ts",
                                        "t2"."properties",
                                        ROW_NUMBER() OVER (
                                          PARTITION BY "t2"."event_id"
                                          ORDER BY "t2"."ts" ASC, "t2"."user_id" ASC, "t2"."account_id" ASC, "t2"."event" ASC, CAST("t2"."properties" AS TEXT) ASC
                                          ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                                        ) - 1 AS "_pql_copy"
                                      FROM "events" AS "t2"
                                    ) AS "t15"
                                    WHERE
                                      (
                                        "t15"."_pql_copy" = 0
                                      ) OR (
                                        "t15"."event_id" IS NULL
                                      )
                                  ) AS "t17"
                                ) AS "t19"
                                WHERE
                                  "t19"."ts" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
                                  AND "t19"."account_id" IS NULL
                              ) AS "t27"
                              INNER JOIN (
                                SELECT
                                  "t1"."user_id" AS "member_id",
                                  "t1"."account_id" AS "member_account"
                                FROM "users" AS "t1"
                                WHERE
                                  "t1"."account_id" IS NOT NULL
                              ) AS "t9"
                                ON "t27"."user_id" = "t9"."member_id"
                            ) AS "t30"
                          ) AS "t36"
                          INNER JOIN (
                            SELECT
                              "t58"."a_entity",
                              "t58"."a_signup",
                              "t58"."a_converted"
                            FROM (
                              SELECT
                                "t54"."entity_id" AS "a_entity",
                                "t54"."signup_at" AS "a_signup",
                                "t54"."converted_at" AS "a_converted"
                              FROM "t53" AS "t54"
                              WHERE
                                "t54"."signup_at" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
                            ) AS "t58"
                            ANTI JOIN (
                              SELECT
                                *
                              FROM "t11" AS "t13"
                              WHERE
                                NOT (
                                  COALESCE("t13"."fit_free_email", TRUE) AND COALESCE("t13"."fit_employees", TRUE)
                                )
                            ) AS "t20"
                              ON "t58"."a_entity" = "t20"."f_id"
                            SEMI JOIN (
                              SELECT
                                *
                              FROM "t66" AS "t67"
                              WHERE
                                "t67"."rule_satisfied_at" IS NOT NULL
                            ) AS "t70"
                              ON "t58"."a_entity" = "t70"."c_id"
                          ) AS "t75"
                            ON "t36"."entity_id" = "t75"."a_entity"
                        ) AS "t76"
                        WHERE
                          "t76"."ts" >= "t76"."a_signup"
                      ) AS "t77"
                    ) AS "t78"
                  ) AS "t79"
                  GROUP BY
                    1,
                    2
                ) AS "t80"
                GROUP BY
                  1
              ) AS "t82"
                ON "t73"."entity_id" = "t82"."a_id"
            ) AS "t83"
          ) AS "t85"
          LEFT OUTER JOIN "t11" AS "t16"
            ON "t85"."entity_id" = "t16"."f_id"
        ) AS "t86"
      ) AS "t87"
    ) AS "t88"
  ) AS "t89"
)
SELECT
  CAST(EXTRACT(year FROM "t98"."start") AS TEXT) || '-' || CASE
    WHEN 2 <= LENGTH(CAST(EXTRACT(month FROM "t98"."start") AS TEXT))
    THEN CAST(EXTRACT(month FROM "t98"."start") AS TEXT)
    ELSE REPEAT('0', 2 - LENGTH(CAST(EXTRACT(month FROM "t98"."start") AS TEXT))) || CAST(EXTRACT(month FROM "t98"."start") AS TEXT)
  END AS "period",
  "t98"."start" AS "period_start",
  "t98"."pqls",
  "t98"."new",
  "t98"."requalified",
  "t98"."lapsed",
  "t98"."ended_by_conversion",
  "t98"."open_at_end"
FROM (
  SELECT
    "t97"."start",
    "t97"."segment",
    "t97"."new",
    "t97"."requalified",
    "t97"."lapsed",
    "t97"."ended_by_conversion",
    "t97"."new" AS "pqls",
    SUM(
      (
        (
          "t97"."new" + "t97"."requalified"
        ) - "t97"."lapsed"
      ) - "t97"."ended_by_conversion"
    ) OVER (
      PARTITION BY "t97"."segment"
      ORDER BY "t97"."start" ASC
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS "open_at_end"
  FROM (
    SELECT
      "t96"."start",
      "t96"."segment",
      SUM("t96"."new") AS "new",
      SUM("t96"."requalified") AS "requalified",
      SUM("t96"."lapsed") AS "lapsed",
      SUM("t96"."ended_by_conversion") AS "ended_by_conversion"
    FROM (
      SELECT
        *
      FROM (
        SELECT
          DATE_TRUNC('MONTH', "t92"."start") AS "start",
          "t92"."segment",
          CASE WHEN "t92"."start" = "t92"."qualified_at" THEN 1 ELSE 0 END AS "new",
          CASE WHEN "t92"."start" = "t92"."qualified_at" THEN 0 ELSE 1 END AS "requalified",
          0 AS "lapsed",
          0 AS "ended_by_conversion"
        FROM (
          SELECT
            "t91"."segment",
            "t91"."qualified_at",
            UNNEST("t91"."episode_starts") AS "start"
          FROM "t90" AS "t91"
        ) AS "t92"
      ) AS "t94"
      UNION ALL
      SELECT
        *
      FROM (
        SELECT
          DATE_TRUNC('MONTH', "t93"."end") AS "start",
          "t93"."segment",
          0 AS "new",
          0 AS "requalified",
          CASE WHEN COALESCE("t93"."end" = "t93"."converted_at", FALSE) THEN 0 ELSE 1 END AS "lapsed",
          CASE WHEN COALESCE("t93"."end" = "t93"."converted_at", FALSE) THEN 1 ELSE 0 END AS "ended_by_conversion"
        FROM (
          SELECT
            "t91"."segment",
            "t91"."converted_at",
            UNNEST("t91"."episode_ends") AS "end"
          FROM "t90" AS "t91"
        ) AS "t93"
      ) AS "t95"
    ) AS "t96"
    GROUP BY
      1,
      2
  ) AS "t97"
) AS "t98"
ORDER BY
  "t98"."start" ASC,
  "t98"."segment" ASC NULLS FIRST;
