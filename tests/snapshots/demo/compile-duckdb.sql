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
WITH "t35" AS (
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
        ) AS "t16"
      ) AS "t17"
      WHERE
        "t17"."ts" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
        AND "t17"."account_id" IS NOT NULL
    ) AS "t19"
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
          ) AS "t16"
        ) AS "t17"
        WHERE
          "t17"."ts" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
          AND "t17"."account_id" IS NULL
      ) AS "t25"
      INNER JOIN (
        SELECT
          "t1"."user_id" AS "member_id",
          "t1"."account_id" AS "member_account"
        FROM "users" AS "t1"
        WHERE
          "t1"."account_id" IS NOT NULL
      ) AS "t9"
        ON "t25"."user_id" = "t9"."member_id"
    ) AS "t28"
  ) AS "t31"
  GROUP BY
    1
), "t50" AS (
  SELECT
    "t49"."entity_id",
    COALESCE("t49"."signup_0", "t49"."signup_1", "t41"."first_event_at") AS "signup_at",
    "t42"."converted_at"
  FROM (
    SELECT
      "t47"."entity_id",
      "t47"."signup_0",
      "t47"."signup_1"
    FROM (
      SELECT
        "t46"."entity_id",
        "t46"."signup_0",
        "t14"."id_1",
        "t14"."signup_1"
      FROM (
        SELECT
          "t44"."entity_id",
          "t44"."signup_0"
        FROM (
          SELECT
            "t43"."entity_id",
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
                "t36"."entity_id"
              FROM "t35" AS "t36"
            ) AS "t37"
          ) AS "t43"
          LEFT OUTER JOIN (
            SELECT
              "t0"."account_id" AS "id_0",
              "t0"."created_at" AS "signup_0"
            FROM "accounts" AS "t0"
          ) AS "t5"
            ON "t43"."entity_id" = "t5"."id_0"
        ) AS "t44"
      ) AS "t46"
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
        ON "t46"."entity_id" = "t14"."id_1"
    ) AS "t47"
  ) AS "t49"
  LEFT OUTER JOIN (
    SELECT
      "t36"."entity_id" AS "fe_id",
      "t36"."first_event_at"
    FROM "t35" AS "t36"
  ) AS "t41"
    ON "t49"."entity_id" = "t41"."fe_id"
  LEFT OUTER JOIN (
    SELECT
      "t36"."entity_id" AS "conv_entity_id",
      "t36"."converted_at"
    FROM "t35" AS "t36"
  ) AS "t42"
    ON "t49"."entity_id" = "t42"."conv_entity_id"
)
SELECT
  "t100"."entity_id",
  "t100"."signup_at",
  "t100"."converted_at",
  "t100"."criterion_0_at",
  "t100"."criterion_1_at",
  "t100"."criterion_2_at",
  "t100"."criterion_3_at",
  "t100"."criterion_4_at",
  "t100"."criterion_5_at",
  "t100"."rule_satisfied_at",
  "t100"."active_days",
  "t100"."active_days_satisfied_at",
  "t100"."fit_free_email",
  "t100"."fit_employees",
  "t100"."fit",
  "t100"."qualified_at",
  CASE
    WHEN (
      "t100"."qualified_at" IS NOT NULL
    )
    AND (
      "t100"."converted_at" IS NOT NULL
    )
    THEN 'converted_pql'
    WHEN "t100"."qualified_at" IS NOT NULL
    THEN 'pql'
    WHEN "t100"."converted_at" IS NOT NULL
    THEN 'converted_without_qualifying'
    WHEN NOT (
      "t100"."fit"
    )
    THEN 'failed_fit'
    ELSE 'not_qualified'
  END AS "status",
  '77471bfbdeb0' AS "definition_version",
  MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0) AS "as_of"
FROM (
  SELECT
    "t99"."entity_id",
    "t99"."signup_at",
    "t99"."converted_at",
    "t99"."criterion_0_at",
    "t99"."criterion_1_at",
    "t99"."criterion_2_at",
    "t99"."criterion_3_at",
    "t99"."criterion_4_at",
    "t99"."criterion_5_at",
    "t99"."rule_satisfied_at",
    COALESCE("t99"."active_days", 0) AS "active_days",
    "t99"."active_days_satisfied_at",
    "t99"."fit_free_email",
    "t99"."fit_employees",
    COALESCE("t99"."fit_free_email", TRUE) AND COALESCE("t99"."fit_employees", TRUE) AS "fit",
    CASE
      WHEN (
        "t99"."converted_at" IS NOT NULL
      )
      AND (
        "t99"."converted_at" <= CASE
          WHEN COALESCE("t99"."fit_free_email", TRUE) AND COALESCE("t99"."fit_employees", TRUE)
          THEN CASE
            WHEN (
              "t99"."rule_satisfied_at" IS NULL
            )
            OR (
              "t99"."active_days_satisfied_at" IS NULL
            )
            THEN CAST(NULL AS TIMESTAMP)
            ELSE GREATEST("t99"."rule_satisfied_at", "t99"."active_days_satisfied_at")
          END
          ELSE CAST(NULL AS TIMESTAMP)
        END
      )
      THEN CAST(NULL AS TIMESTAMP)
      ELSE CASE
        WHEN COALESCE("t99"."fit_free_email", TRUE) AND COALESCE("t99"."fit_employees", TRUE)
        THEN CASE
          WHEN (
            "t99"."rule_satisfied_at" IS NULL
          )
          OR (
            "t99"."active_days_satisfied_at" IS NULL
          )
          THEN CAST(NULL AS TIMESTAMP)
          ELSE GREATEST("t99"."rule_satisfied_at", "t99"."active_days_satisfied_at")
        END
        ELSE CAST(NULL AS TIMESTAMP)
      END
    END AS "qualified_at"
  FROM (
    SELECT
      "t98".*
      EXCLUDE ("f_id")
    FROM (
      SELECT
        "t97"."entity_id",
        "t97"."signup_at",
        "t97"."converted_at",
        "t97"."criterion_0_at",
        "t97"."criterion_1_at",
        "t97"."criterion_2_at",
        "t97"."criterion_3_at",
        "t97"."criterion_4_at",
        "t97"."criterion_5_at",
        "t97"."rule_satisfied_at",
        "t97"."active_days",
        "t97"."active_days_satisfied_at",
        "t13"."f_id",
        "t13"."fit_free_email",
        "t13"."fit_employees"
      FROM (
        SELECT
          "t95".*
          EXCLUDE ("a_id")
        FROM (
          SELECT
            "t94"."entity_id",
            "t94"."signup_at",
            "t94"."converted_at",
            "t94"."criterion_0_at",
            "t94"."criterion_1_at",
            "t94"."criterion_2_at",
            "t94"."criterion_3_at",
            "t94"."criterion_4_at",
            "t94"."criterion_5_at",
            "t94"."rule_satisfied_at",
            "t80"."a_id",
            "t80"."active_days",
            "t80"."active_days_satisfied_at"
          FROM (
            SELECT
              "t92".*
              EXCLUDE ("c_id")
            FROM (
              SELECT
                "t54"."entity_id",
                "t54"."signup_at",
                "t54"."converted_at",
                "t91"."c_id",
                "t91"."criterion_0_at",
                "t91"."criterion_1_at",
                "t91"."criterion_2_at",
                "t91"."criterion_3_at",
                "t91"."criterion_4_at",
                "t91"."criterion_5_at",
                "t91"."rule_satisfied_at"
              FROM (
                SELECT
                  *
                FROM "t50" AS "t51"
                WHERE
                  "t51"."signup_at" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
              ) AS "t54"
              LEFT OUTER JOIN (
                SELECT
                  "t89"."c_id",
                  "t89"."criterion_0_at",
                  "t89"."criterion_1_at",
                  "t89"."criterion_2_at",
                  "t89"."criterion_3_at",
                  "t89"."criterion_4_at",
                  "t89"."criterion_5_at",
                  NULLIF(
                    LEAST(
                      CASE
                        WHEN (
                          0.0 + CASE WHEN "t89"."criterion_0_at" <= "t89"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t89"."criterion_1_at" <= "t89"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t89"."criterion_2_at" <= "t89"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t89"."criterion_3_at" <= "t89"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t89"."criterion_4_at" <= "t89"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t89"."criterion_5_at" <= "t89"."criterion_0_at" THEN 1.0 ELSE 0.0 END
                        ) >= 2.999999999
                        THEN "t89"."criterion_0_at"
                        ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
                      END,
                      CASE
                        WHEN (
                          0.0 + CASE WHEN "t89"."criterion_0_at" <= "t89"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t89"."criterion_1_at" <= "t89"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t89"."criterion_2_at" <= "t89"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t89"."criterion_3_at" <= "t89"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t89"."criterion_4_at" <= "t89"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t89"."criterion_5_at" <= "t89"."criterion_1_at" THEN 1.0 ELSE 0.0 END
                        ) >= 2.999999999
                        THEN "t89"."criterion_1_at"
                        ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
                      END,
                      CASE
                        WHEN (
                          0.0 + CASE WHEN "t89"."criterion_0_at" <= "t89"."criterion_2_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t89"."criterion_1_at" <= "t89"."criterion_2_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t89"."criterion_2_at" <= "t89"."criterion_2_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t89"."criterion_3_at" <= "t89"."criterion_2_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t89"."criterion_4_at" <= "t89"."criterion_2_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t89"."criterion_5_at" <= "t89"."criterion_2_at" THEN 1.0 ELSE 0.0 END
                        ) >= 2.999999999
                        THEN "t89"."criterion_2_at"
                        ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
                      END,
                      CASE
                        WHEN (
                          0.0 + CASE WHEN "t89"."criterion_0_at" <= "t89"."criterion_3_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t89"."criterion_1_at" <= "t89"."criterion_3_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t89"."criterion_2_at" <= "t89"."criterion_3_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t89"."criterion_3_at" <= "t89"."criterion_3_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t89"."criterion_4_at" <= "t89"."criterion_3_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t89"."criterion_5_at" <= "t89"."criterion_3_at" THEN 1.0 ELSE 0.0 END
                        ) >= 2.999999999
                        THEN "t89"."criterion_3_at"
                        ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
                      END,
                      CASE
                        WHEN (
                          0.0 + CASE WHEN "t89"."criterion_0_at" <= "t89"."criterion_4_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t89"."criterion_1_at" <= "t89"."criterion_4_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t89"."criterion_2_at" <= "t89"."criterion_4_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t89"."criterion_3_at" <= "t89"."criterion_4_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t89"."criterion_4_at" <= "t89"."criterion_4_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t89"."criterion_5_at" <= "t89"."criterion_4_at" THEN 1.0 ELSE 0.0 END
                        ) >= 2.999999999
                        THEN "t89"."criterion_4_at"
                        ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
                      END,
                      CASE
                        WHEN (
                          0.0 + CASE WHEN "t89"."criterion_0_at" <= "t89"."criterion_5_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t89"."criterion_1_at" <= "t89"."criterion_5_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t89"."criterion_2_at" <= "t89"."criterion_5_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t89"."criterion_3_at" <= "t89"."criterion_5_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t89"."criterion_4_at" <= "t89"."criterion_5_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t89"."criterion_5_at" <= "t89"."criterion_5_at" THEN 1.0 ELSE 0.0 END
                        ) >= 2.999999999
                        THEN "t89"."criterion_5_at"
                        ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
                      END
                    ),
                    MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
                  ) AS "rule_satisfied_at"
                FROM (
                  SELECT
                    "t88".*
                    EXCLUDE ("s_id")
                  FROM (
                    SELECT
                      "t87"."c_id",
                      "t87"."criterion_0_at",
                      "t87"."criterion_2_at",
                      "t87"."criterion_5_at",
                      "t87"."criterion_1_at",
                      "t87"."criterion_3_at",
                      "t81"."s_id",
                      "t81"."criterion_4_at"
                    FROM (
                      SELECT
                        "t85".*
                        EXCLUDE ("s_id")
                      FROM (
                        SELECT
                          "t84"."c_id",
                          "t84"."criterion_0_at",
                          "t84"."criterion_2_at",
                          "t84"."criterion_5_at",
                          "t84"."criterion_1_at",
                          "t76"."s_id",
                          "t76"."criterion_3_at"
                        FROM (
                          SELECT
                            "t82".*
                            EXCLUDE ("s_id")
                          FROM (
                            SELECT
                              "t73"."c_id",
                              "t73"."criterion_0_at",
                              "t73"."criterion_2_at",
                              "t73"."criterion_5_at",
                              "t77"."s_id",
                              "t77"."criterion_1_at"
                            FROM (
                              SELECT
                                "t64"."entity_id" AS "c_id",
                                MIN("t64"."ts") FILTER(WHERE
                                  "t64"."event" = 'Invited Member') AS "criterion_0_at",
                                MIN("t64"."ts") FILTER(WHERE
                                  CASE
                                    WHEN "t64"."event" = 'Shared Document'
                                    THEN "t64"."ts" < (
                                      "t64"."signup_at" + INTERVAL '14' DAY
                                    )
                                    ELSE FALSE
                                  END) AS "criterion_2_at",
                                MIN("t64"."ts") FILTER(WHERE
                                  "t64"."event" = 'Created Calendar') AS "criterion_5_at"
                              FROM (
                                SELECT
                                  "t61"."entity_id",
                                  "t61"."event",
                                  "t61"."properties",
                                  "t61"."ts",
                                  "t61"."a_signup" AS "signup_at",
                                  "t61"."a_converted" AS "converted_at"
                                FROM (
                                  SELECT
                                    "t59".*
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
                                        "t55"."a_entity",
                                        "t55"."a_signup",
                                        "t55"."a_converted"
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
                                            ) AS "t16"
                                          ) AS "t17"
                                          WHERE
                                            "t17"."ts" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
                                            AND "t17"."event" IN (
                                              'Added Task',
                                              'Created Calendar',
                                              'Created Document',
                                              'Invited Member',
                                              'Shared Document',
                                              'Uploaded Asset'
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
                                              ) AS "t16"
                                            ) AS "t17"
                                            WHERE
                                              "t17"."ts" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
                                              AND "t17"."event" IN (
                                                'Added Task',
                                                'Created Calendar',
                                                'Created Document',
                                                'Invited Member',
                                                'Shared Document',
                                                'Uploaded Asset'
                                              )
                                              AND "t17"."account_id" IS NULL
                                          ) AS "t26"
                                          INNER JOIN (
                                            SELECT
                                              "t1"."user_id" AS "member_id",
                                              "t1"."account_id" AS "member_account"
                                            FROM "users" AS "t1"
                                            WHERE
                                              "t1"."account_id" IS NOT NULL
                                          ) AS "t9"
                                            ON "t26"."user_id" = "t9"."member_id"
                                        ) AS "t29"
                                      ) AS "t34"
                                      INNER JOIN (
                                        SELECT
                                          "t51"."entity_id" AS "a_entity",
                                          "t51"."signup_at" AS "a_signup",
                                          "t51"."converted_at" AS "a_converted"
                                        FROM "t50" AS "t51"
                                        WHERE
                                          "t51"."signup_at" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
                                      ) AS "t55"
                                        ON "t34"."entity_id" = "t55"."a_entity"
                                    ) AS "t57"
                                    WHERE
                                      "t57"."ts" >= "t57"."a_signup"
                                  ) AS "t59"
                                ) AS "t61"
                                WHERE
                                  (
                                    "t61"."a_converted" IS NULL
                                  ) OR (
                                    "t61"."ts" < "t61"."a_converted"
                                  )
                              ) AS "t64"
                              GROUP BY
                                1
                            ) AS "t73"
                            LEFT OUTER JOIN (
                              SELECT
                                "t69"."entity_id" AS "s_id",
                                "t69"."ts" AS "criterion_1_at"
                              FROM (
                                SELECT
                                  "t65"."entity_id",
                                  "t65"."event",
                                  "t65"."properties",
                                  "t65"."ts",
                                  "t65"."signup_at",
                                  "t65"."converted_at",
                                  ROW_NUMBER() OVER (
                                    PARTITION BY "t65"."entity_id"
                                    ORDER BY "t65"."ts" ASC
                                    ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                                  ) - 1 AS "position"
                                FROM (
                                  SELECT
                                    "t61"."entity_id",
                                    "t61"."event",
                                    "t61"."properties",
                                    "t61"."ts",
                                    "t61"."a_signup" AS "signup_at",
                                    "t61"."a_converted" AS "converted_at"
                                  FROM (
                                    SELECT
                                      "t59".*
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
                                          "t55"."a_entity",
                                          "t55"."a_signup",
                                          "t55"."a_converted"
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
                                              ) AS "t16"
                                            ) AS "t17"
                                            WHERE
                                              "t17"."ts" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
                                              AND "t17"."event" IN (
                                                'Added Task',
                                                'Created Calendar',
                                                'Created Document',
                                                'Invited Member',
                                                'Shared Document',
                                                'Uploaded Asset'
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
                                                ) AS "t16"
                                              ) AS "t17"
                                              WHERE
                                                "t17"."ts" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
                                                AND "t17"."event" IN (
                                                  'Added Task',
                                                  'Created Calendar',
                                                  'Created Document',
                                                  'Invited Member',
                                                  'Shared Document',
                                                  'Uploaded Asset'
                                                )
                                                AND "t17"."account_id" IS NULL
                                            ) AS "t26"
                                            INNER JOIN (
                                              SELECT
                                                "t1"."user_id" AS "member_id",
                                                "t1"."account_id" AS "member_account"
                                              FROM "users" AS "t1"
                                              WHERE
                                                "t1"."account_id" IS NOT NULL
                                            ) AS "t9"
                                              ON "t26"."user_id" = "t9"."member_id"
                                          ) AS "t29"
                                        ) AS "t34"
                                        INNER JOIN (
                                          SELECT
                                            "t51"."entity_id" AS "a_entity",
                                            "t51"."signup_at" AS "a_signup",
                                            "t51"."converted_at" AS "a_converted"
                                          FROM "t50" AS "t51"
                                          WHERE
                                            "t51"."signup_at" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
                                        ) AS "t55"
                                          ON "t34"."entity_id" = "t55"."a_entity"
                                      ) AS "t57"
                                      WHERE
                                        "t57"."ts" >= "t57"."a_signup"
                                    ) AS "t59"
                                  ) AS "t61"
                                  WHERE
                                    (
                                      (
                                        "t61"."a_converted" IS NULL
                                      ) OR (
                                        "t61"."ts" < "t61"."a_converted"
                                      )
                                    )
                                    AND "t61"."event" = 'Created Document'
                                ) AS "t65"
                              ) AS "t69"
                              WHERE
                                "t69"."position" = 1
                            ) AS "t77"
                              ON "t73"."c_id" = "t77"."s_id"
                          ) AS "t82"
                        ) AS "t84"
                        LEFT OUTER JOIN (
                          SELECT
                            "t68"."entity_id" AS "s_id",
                            "t68"."ts" AS "criterion_3_at"
                          FROM (
                            SELECT
                              "t63"."entity_id",
                              "t63"."event",
                              "t63"."properties",
                              "t63"."ts",
                              "t63"."signup_at",
                              "t63"."converted_at",
                              ROW_NUMBER() OVER (
                                PARTITION BY "t63"."entity_id"
                                ORDER BY "t63"."ts" ASC
                                ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                              ) - 1 AS "position"
                            FROM (
                              SELECT
                                "t61"."entity_id",
                                "t61"."event",
                                "t61"."properties",
                                "t61"."ts",
                                "t61"."a_signup" AS "signup_at",
                                "t61"."a_converted" AS "converted_at"
                              FROM (
                                SELECT
                                  "t59".*
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
                                      "t55"."a_entity",
                                      "t55"."a_signup",
                                      "t55"."a_converted"
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
                                          ) AS "t16"
                                        ) AS "t17"
                                        WHERE
                                          "t17"."ts" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
                                          AND "t17"."event" IN (
                                            'Added Task',
                                            'Created Calendar',
                                            'Created Document',
                                            'Invited Member',
                                            'Shared Document',
                                            'Uploaded Asset'
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
                                            ) AS "t16"
                                          ) AS "t17"
                                          WHERE
                                            "t17"."ts" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
                                            AND "t17"."event" IN (
                                              'Added Task',
                                              'Created Calendar',
                                              'Created Document',
                                              'Invited Member',
                                              'Shared Document',
                                              'Uploaded Asset'
                                            )
                                            AND "t17"."account_id" IS NULL
                                        ) AS "t26"
                                        INNER JOIN (
                                          SELECT
                                            "t1"."user_id" AS "member_id",
                                            "t1"."account_id" AS "member_account"
                                          FROM "users" AS "t1"
                                          WHERE
                                            "t1"."account_id" IS NOT NULL
                                        ) AS "t9"
                                          ON "t26"."user_id" = "t9"."member_id"
                                      ) AS "t29"
                                    ) AS "t34"
                                    INNER JOIN (
                                      SELECT
                                        "t51"."entity_id" AS "a_entity",
                                        "t51"."signup_at" AS "a_signup",
                                        "t51"."converted_at" AS "a_converted"
                                      FROM "t50" AS "t51"
                                      WHERE
                                        "t51"."signup_at" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
                                    ) AS "t55"
                                      ON "t34"."entity_id" = "t55"."a_entity"
                                  ) AS "t57"
                                  WHERE
                                    "t57"."ts" >= "t57"."a_signup"
                                ) AS "t59"
                              ) AS "t61"
                              WHERE
                                (
                                  (
                                    "t61"."a_converted" IS NULL
                                  ) OR (
                                    "t61"."ts" < "t61"."a_converted"
                                  )
                                )
                                AND "t61"."event" = 'Uploaded Asset'
                            ) AS "t63"
                          ) AS "t68"
                          WHERE
                            "t68"."position" = 2
                        ) AS "t76"
                          ON "t84"."c_id" = "t76"."s_id"
                      ) AS "t85"
                    ) AS "t87"
                    LEFT OUTER JOIN (
                      SELECT
                        "t72"."entity_id" AS "s_id",
                        "t72"."ts" AS "criterion_4_at"
                      FROM (
                        SELECT
                          "t67"."entity_id",
                          "t67"."event",
                          "t67"."properties",
                          "t67"."ts",
                          "t67"."signup_at",
                          "t67"."converted_at",
                          ROW_NUMBER() OVER (
                            PARTITION BY "t67"."entity_id"
                            ORDER BY "t67"."ts" ASC
                            ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                          ) - 1 AS "position"
                        FROM (
                          SELECT
                            "t61"."entity_id",
                            "t61"."event",
                            "t61"."properties",
                            "t61"."ts",
                            "t61"."a_signup" AS "signup_at",
                            "t61"."a_converted" AS "converted_at"
                          FROM (
                            SELECT
                              "t59".*
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
                                  "t55"."a_entity",
                                  "t55"."a_signup",
                                  "t55"."a_converted"
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
                                      ) AS "t16"
                                    ) AS "t17"
                                    WHERE
                                      "t17"."ts" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
                                      AND "t17"."event" IN (
                                        'Added Task',
                                        'Created Calendar',
                                        'Created Document',
                                        'Invited Member',
                                        'Shared Document',
                                        'Uploaded Asset'
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
                                        ) AS "t16"
                                      ) AS "t17"
                                      WHERE
                                        "t17"."ts" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
                                        AND "t17"."event" IN (
                                          'Added Task',
                                          'Created Calendar',
                                          'Created Document',
                                          'Invited Member',
                                          'Shared Document',
                                          'Uploaded Asset'
                                        )
                                        AND "t17"."account_id" IS NULL
                                    ) AS "t26"
                                    INNER JOIN (
                                      SELECT
                                        "t1"."user_id" AS "member_id",
                                        "t1"."account_id" AS "member_account"
                                      FROM "users" AS "t1"
                                      WHERE
                                        "t1"."account_id" IS NOT NULL
                                    ) AS "t9"
                                      ON "t26"."user_id" = "t9"."member_id"
                                  ) AS "t29"
                                ) AS "t34"
                                INNER JOIN (
                                  SELECT
                                    "t51"."entity_id" AS "a_entity",
                                    "t51"."signup_at" AS "a_signup",
                                    "t51"."converted_at" AS "a_converted"
                                  FROM "t50" AS "t51"
                                  WHERE
                                    "t51"."signup_at" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
                                ) AS "t55"
                                  ON "t34"."entity_id" = "t55"."a_entity"
                              ) AS "t57"
                              WHERE
                                "t57"."ts" >= "t57"."a_signup"
                            ) AS "t59"
                          ) AS "t61"
                          WHERE
                            (
                              (
                                "t61"."a_converted" IS NULL
                              ) OR (
                                "t61"."ts" < "t61"."a_converted"
                              )
                            )
                            AND "t61"."event" = 'Added Task'
                            AND COALESCE(
                              CASE
                                WHEN JSON_TYPE("t61"."properties" -> '$.source') = 'VARCHAR'
                                THEN (
                                  "t61"."properties" -> '$.source'
                                ) ->> '$'
                                ELSE NULL
                              END IN ('web'),
                              FALSE
                            )
                        ) AS "t67"
                      ) AS "t72"
                      WHERE
                        "t72"."position" = 2
                    ) AS "t81"
                      ON "t87"."c_id" = "t81"."s_id"
                  ) AS "t88"
                ) AS "t89"
              ) AS "t91"
                ON "t54"."entity_id" = "t91"."c_id"
            ) AS "t92"
          ) AS "t94"
          LEFT OUTER JOIN (
            SELECT
              "t70"."entity_id" AS "a_id",
              COUNT("t70"."first_ts") AS "active_days",
              MIN("t70"."first_ts") FILTER(WHERE
                "t70"."position" = 1) AS "active_days_satisfied_at"
            FROM (
              SELECT
                "t66"."entity_id",
                "t66"."day",
                "t66"."first_ts",
                ROW_NUMBER() OVER (
                  PARTITION BY "t66"."entity_id"
                  ORDER BY "t66"."day" ASC
                  ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                ) - 1 AS "position"
              FROM (
                SELECT
                  "t62"."entity_id",
                  DATE_TRUNC('DAY', "t62"."ts") AS "day",
                  MIN("t62"."ts") AS "first_ts"
                FROM (
                  SELECT
                    "t60"."entity_id",
                    "t60"."ts",
                    "t60"."a_signup" AS "signup_at",
                    "t60"."a_converted" AS "converted_at"
                  FROM (
                    SELECT
                      "t58".*
                      EXCLUDE ("a_entity")
                    FROM (
                      SELECT
                        *
                      FROM (
                        SELECT
                          "t33"."entity_id",
                          "t33"."ts",
                          "t55"."a_entity",
                          "t55"."a_signup",
                          "t55"."a_converted"
                        FROM (
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
                                ) AS "t16"
                              ) AS "t17"
                              WHERE
                                "t17"."ts" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
                                AND "t17"."account_id" IS NULL
                            ) AS "t24"
                            INNER JOIN (
                              SELECT
                                "t1"."user_id" AS "member_id",
                                "t1"."account_id" AS "member_account"
                              FROM "users" AS "t1"
                              WHERE
                                "t1"."account_id" IS NOT NULL
                            ) AS "t9"
                              ON "t24"."user_id" = "t9"."member_id"
                          ) AS "t27"
                        ) AS "t33"
                        INNER JOIN (
                          SELECT
                            "t51"."entity_id" AS "a_entity",
                            "t51"."signup_at" AS "a_signup",
                            "t51"."converted_at" AS "a_converted"
                          FROM "t50" AS "t51"
                          WHERE
                            "t51"."signup_at" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
                        ) AS "t55"
                          ON "t33"."entity_id" = "t55"."a_entity"
                      ) AS "t56"
                      WHERE
                        "t56"."ts" >= "t56"."a_signup"
                    ) AS "t58"
                  ) AS "t60"
                ) AS "t62"
                GROUP BY
                  1,
                  2
              ) AS "t66"
            ) AS "t70"
            GROUP BY
              1
          ) AS "t80"
            ON "t94"."entity_id" = "t80"."a_id"
        ) AS "t95"
      ) AS "t97"
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
        ON "t97"."entity_id" = "t13"."f_id"
    ) AS "t98"
  ) AS "t99"
) AS "t100"
ORDER BY
  "t100"."entity_id" ASC;

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
    ) AS "t22"
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
), "t87" AS (
  SELECT
    "t86"."c_id",
    "t86"."criterion_0_at",
    "t86"."criterion_1_at",
    "t86"."criterion_2_at",
    "t86"."criterion_3_at",
    "t86"."criterion_4_at",
    "t86"."criterion_5_at",
    NULLIF(
      LEAST(
        CASE
          WHEN (
            0.0 + CASE WHEN "t86"."criterion_0_at" <= "t86"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_1_at" <= "t86"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_2_at" <= "t86"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_3_at" <= "t86"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_4_at" <= "t86"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_5_at" <= "t86"."criterion_0_at" THEN 1.0 ELSE 0.0 END
          ) >= 2.999999999
          THEN "t86"."criterion_0_at"
          ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
        END,
        CASE
          WHEN (
            0.0 + CASE WHEN "t86"."criterion_0_at" <= "t86"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_1_at" <= "t86"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_2_at" <= "t86"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_3_at" <= "t86"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_4_at" <= "t86"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_5_at" <= "t86"."criterion_1_at" THEN 1.0 ELSE 0.0 END
          ) >= 2.999999999
          THEN "t86"."criterion_1_at"
          ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
        END,
        CASE
          WHEN (
            0.0 + CASE WHEN "t86"."criterion_0_at" <= "t86"."criterion_2_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_1_at" <= "t86"."criterion_2_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_2_at" <= "t86"."criterion_2_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_3_at" <= "t86"."criterion_2_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_4_at" <= "t86"."criterion_2_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_5_at" <= "t86"."criterion_2_at" THEN 1.0 ELSE 0.0 END
          ) >= 2.999999999
          THEN "t86"."criterion_2_at"
          ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
        END,
        CASE
          WHEN (
            0.0 + CASE WHEN "t86"."criterion_0_at" <= "t86"."criterion_3_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_1_at" <= "t86"."criterion_3_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_2_at" <= "t86"."criterion_3_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_3_at" <= "t86"."criterion_3_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_4_at" <= "t86"."criterion_3_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_5_at" <= "t86"."criterion_3_at" THEN 1.0 ELSE 0.0 END
          ) >= 2.999999999
          THEN "t86"."criterion_3_at"
          ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
        END,
        CASE
          WHEN (
            0.0 + CASE WHEN "t86"."criterion_0_at" <= "t86"."criterion_4_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_1_at" <= "t86"."criterion_4_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_2_at" <= "t86"."criterion_4_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_3_at" <= "t86"."criterion_4_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_4_at" <= "t86"."criterion_4_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_5_at" <= "t86"."criterion_4_at" THEN 1.0 ELSE 0.0 END
          ) >= 2.999999999
          THEN "t86"."criterion_4_at"
          ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
        END,
        CASE
          WHEN (
            0.0 + CASE WHEN "t86"."criterion_0_at" <= "t86"."criterion_5_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_1_at" <= "t86"."criterion_5_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_2_at" <= "t86"."criterion_5_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_3_at" <= "t86"."criterion_5_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_4_at" <= "t86"."criterion_5_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_5_at" <= "t86"."criterion_5_at" THEN 1.0 ELSE 0.0 END
          ) >= 2.999999999
          THEN "t86"."criterion_5_at"
          ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
        END
      ),
      MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
    ) AS "rule_satisfied_at"
  FROM (
    SELECT
      "t85".*
      EXCLUDE ("s_id")
    FROM (
      SELECT
        "t84"."c_id",
        "t84"."criterion_0_at",
        "t84"."criterion_2_at",
        "t84"."criterion_5_at",
        "t84"."criterion_1_at",
        "t84"."criterion_3_at",
        "t78"."s_id",
        "t78"."criterion_4_at"
      FROM (
        SELECT
          "t82".*
          EXCLUDE ("s_id")
        FROM (
          SELECT
            "t81"."c_id",
            "t81"."criterion_0_at",
            "t81"."criterion_2_at",
            "t81"."criterion_5_at",
            "t81"."criterion_1_at",
            "t75"."s_id",
            "t75"."criterion_3_at"
          FROM (
            SELECT
              "t79".*
              EXCLUDE ("s_id")
            FROM (
              SELECT
                "t72"."c_id",
                "t72"."criterion_0_at",
                "t72"."criterion_2_at",
                "t72"."criterion_5_at",
                "t76"."s_id",
                "t76"."criterion_1_at"
              FROM (
                SELECT
                  "t65"."entity_id" AS "c_id",
                  MIN("t65"."ts") FILTER(WHERE
                    "t65"."event" = 'Invited Member') AS "criterion_0_at",
                  MIN("t65"."ts") FILTER(WHERE
                    CASE
                      WHEN "t65"."event" = 'Shared Document'
                      THEN "t65"."ts" < (
                        "t65"."signup_at" + INTERVAL '14' DAY
                      )
                      ELSE FALSE
                    END) AS "criterion_2_at",
                  MIN("t65"."ts") FILTER(WHERE
                    "t65"."event" = 'Created Calendar') AS "criterion_5_at"
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
                              AND "t19"."event" IN (
                                'Added Task',
                                'Created Calendar',
                                'Created Document',
                                'Invited Member',
                                'Shared Document',
                                'Uploaded Asset'
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
                                AND "t19"."event" IN (
                                  'Added Task',
                                  'Created Calendar',
                                  'Created Document',
                                  'Invited Member',
                                  'Shared Document',
                                  'Uploaded Asset'
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
                ) AS "t65"
                GROUP BY
                  1
              ) AS "t72"
              LEFT OUTER JOIN (
                SELECT
                  "t69"."entity_id" AS "s_id",
                  "t69"."ts" AS "criterion_1_at"
                FROM (
                  SELECT
                    "t66"."entity_id",
                    "t66"."event",
                    "t66"."properties",
                    "t66"."ts",
                    "t66"."signup_at",
                    "t66"."converted_at",
                    ROW_NUMBER() OVER (
                      PARTITION BY "t66"."entity_id"
                      ORDER BY "t66"."ts" ASC
                      ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                    ) - 1 AS "position"
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
                                AND "t19"."event" IN (
                                  'Added Task',
                                  'Created Calendar',
                                  'Created Document',
                                  'Invited Member',
                                  'Shared Document',
                                  'Uploaded Asset'
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
                                  AND "t19"."event" IN (
                                    'Added Task',
                                    'Created Calendar',
                                    'Created Document',
                                    'Invited Member',
                                    'Shared Document',
                                    'Uploaded Asset'
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
                        (
                          "t63"."a_converted" IS NULL
                        ) OR (
                          "t63"."ts" < "t63"."a_converted"
                        )
                      )
                      AND "t63"."event" = 'Created Document'
                  ) AS "t66"
                ) AS "t69"
                WHERE
                  "t69"."position" = 1
              ) AS "t76"
                ON "t72"."c_id" = "t76"."s_id"
            ) AS "t79"
          ) AS "t81"
          LEFT OUTER JOIN (
            SELECT
              "t68"."entity_id" AS "s_id",
              "t68"."ts" AS "criterion_3_at"
            FROM (
              SELECT
                "t64"."entity_id",
                "t64"."event",
                "t64"."properties",
                "t64"."ts",
                "t64"."signup_at",
                "t64"."converted_at",
                ROW_NUMBER() OVER (
                  PARTITION BY "t64"."entity_id"
                  ORDER BY "t64"."ts" ASC
                  ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                ) - 1 AS "position"
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
                            AND "t19"."event" IN (
                              'Added Task',
                              'Created Calendar',
                              'Created Document',
                              'Invited Member',
                              'Shared Document',
                              'Uploaded Asset'
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
                              AND "t19"."event" IN (
                                'Added Task',
                                'Created Calendar',
                                'Created Document',
                                'Invited Member',
                                'Shared Document',
                                'Uploaded Asset'
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
                    (
                      "t63"."a_converted" IS NULL
                    ) OR (
                      "t63"."ts" < "t63"."a_converted"
                    )
                  )
                  AND "t63"."event" = 'Uploaded Asset'
              ) AS "t64"
            ) AS "t68"
            WHERE
              "t68"."position" = 2
          ) AS "t75"
            ON "t81"."c_id" = "t75"."s_id"
        ) AS "t82"
      ) AS "t84"
      LEFT OUTER JOIN (
        SELECT
          "t71"."entity_id" AS "s_id",
          "t71"."ts" AS "criterion_4_at"
        FROM (
          SELECT
            "t67"."entity_id",
            "t67"."event",
            "t67"."properties",
            "t67"."ts",
            "t67"."signup_at",
            "t67"."converted_at",
            ROW_NUMBER() OVER (
              PARTITION BY "t67"."entity_id"
              ORDER BY "t67"."ts" ASC
              ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
            ) - 1 AS "position"
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
                        AND "t19"."event" IN (
                          'Added Task',
                          'Created Calendar',
                          'Created Document',
                          'Invited Member',
                          'Shared Document',
                          'Uploaded Asset'
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
                          AND "t19"."event" IN (
                            'Added Task',
                            'Created Calendar',
                            'Created Document',
                            'Invited Member',
                            'Shared Document',
                            'Uploaded Asset'
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
                (
                  "t63"."a_converted" IS NULL
                ) OR (
                  "t63"."ts" < "t63"."a_converted"
                )
              )
              AND "t63"."event" = 'Added Task'
              AND COALESCE(
                CASE
                  WHEN JSON_TYPE("t63"."properties" -> '$.source') = 'VARCHAR'
                  THEN (
                    "t63"."properties" -> '$.source'
                  ) ->> '$'
                  ELSE NULL
                END IN ('web'),
                FALSE
              )
          ) AS "t67"
        ) AS "t71"
        WHERE
          "t71"."position" = 2
      ) AS "t78"
        ON "t84"."c_id" = "t78"."s_id"
    ) AS "t85"
  ) AS "t86"
), "t110" AS (
  SELECT
    "t109"."entity_id",
    "t109"."signup_at",
    "t109"."converted_at",
    "t109"."criterion_0_at",
    "t109"."criterion_1_at",
    "t109"."criterion_2_at",
    "t109"."criterion_3_at",
    "t109"."criterion_4_at",
    "t109"."criterion_5_at",
    "t109"."rule_satisfied_at",
    COALESCE("t109"."active_days", 0) AS "active_days",
    "t109"."active_days_satisfied_at",
    "t109"."fit_free_email",
    "t109"."fit_employees",
    COALESCE("t109"."fit_free_email", TRUE)
    AND COALESCE("t109"."fit_employees", TRUE) AS "fit",
    CASE
      WHEN (
        "t109"."converted_at" IS NOT NULL
      )
      AND (
        "t109"."converted_at" <= CASE
          WHEN COALESCE("t109"."fit_free_email", TRUE)
          AND COALESCE("t109"."fit_employees", TRUE)
          THEN CASE
            WHEN (
              "t109"."rule_satisfied_at" IS NULL
            )
            OR (
              "t109"."active_days_satisfied_at" IS NULL
            )
            THEN CAST(NULL AS TIMESTAMP)
            ELSE GREATEST("t109"."rule_satisfied_at", "t109"."active_days_satisfied_at")
          END
          ELSE CAST(NULL AS TIMESTAMP)
        END
      )
      THEN CAST(NULL AS TIMESTAMP)
      ELSE CASE
        WHEN COALESCE("t109"."fit_free_email", TRUE)
        AND COALESCE("t109"."fit_employees", TRUE)
        THEN CASE
          WHEN (
            "t109"."rule_satisfied_at" IS NULL
          )
          OR (
            "t109"."active_days_satisfied_at" IS NULL
          )
          THEN CAST(NULL AS TIMESTAMP)
          ELSE GREATEST("t109"."rule_satisfied_at", "t109"."active_days_satisfied_at")
        END
        ELSE CAST(NULL AS TIMESTAMP)
      END
    END AS "qualified_at"
  FROM (
    SELECT
      "t108".*
      EXCLUDE ("f_id")
    FROM (
      SELECT
        "t107"."entity_id",
        "t107"."signup_at",
        "t107"."converted_at",
        "t107"."criterion_0_at",
        "t107"."criterion_1_at",
        "t107"."criterion_2_at",
        "t107"."criterion_3_at",
        "t107"."criterion_4_at",
        "t107"."criterion_5_at",
        "t107"."rule_satisfied_at",
        "t107"."active_days",
        "t107"."active_days_satisfied_at",
        "t16"."f_id",
        "t16"."fit_free_email",
        "t16"."fit_employees"
      FROM (
        SELECT
          "t105".*
          EXCLUDE ("a_id")
        FROM (
          SELECT
            "t94"."entity_id",
            "t94"."signup_at",
            "t94"."converted_at",
            "t94"."criterion_0_at",
            "t94"."criterion_1_at",
            "t94"."criterion_2_at",
            "t94"."criterion_3_at",
            "t94"."criterion_4_at",
            "t94"."criterion_5_at",
            "t94"."rule_satisfied_at",
            "t104"."a_id",
            "t104"."active_days",
            "t104"."active_days_satisfied_at"
          FROM (
            SELECT
              "t92".*
              EXCLUDE ("c_id")
            FROM (
              SELECT
                "t57"."entity_id",
                "t57"."signup_at",
                "t57"."converted_at",
                "t89"."c_id",
                "t89"."criterion_0_at",
                "t89"."criterion_1_at",
                "t89"."criterion_2_at",
                "t89"."criterion_3_at",
                "t89"."criterion_4_at",
                "t89"."criterion_5_at",
                "t89"."rule_satisfied_at"
              FROM (
                SELECT
                  *
                FROM "t53" AS "t54"
                WHERE
                  "t54"."signup_at" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
              ) AS "t57"
              LEFT OUTER JOIN "t87" AS "t89"
                ON "t57"."entity_id" = "t89"."c_id"
            ) AS "t92"
          ) AS "t94"
          LEFT OUTER JOIN (
            SELECT
              "t102"."entity_id" AS "a_id",
              COUNT("t102"."first_ts") AS "active_days",
              MIN("t102"."first_ts") FILTER(WHERE
                "t102"."position" = 1) AS "active_days_satisfied_at"
            FROM (
              SELECT
                "t101"."entity_id",
                "t101"."day",
                "t101"."first_ts",
                ROW_NUMBER() OVER (
                  PARTITION BY "t101"."entity_id"
                  ORDER BY "t101"."day" ASC
                  ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                ) - 1 AS "position"
              FROM (
                SELECT
                  "t100"."entity_id",
                  DATE_TRUNC('DAY', "t100"."ts") AS "day",
                  MIN("t100"."ts") AS "first_ts"
                FROM (
                  SELECT
                    "t99"."entity_id",
                    "t99"."ts",
                    "t99"."a_signup" AS "signup_at",
                    "t99"."a_converted" AS "converted_at"
                  FROM (
                    SELECT
                      "t98".*
                      EXCLUDE ("a_entity")
                    FROM (
                      SELECT
                        *
                      FROM (
                        SELECT
                          "t36"."entity_id",
                          "t36"."ts",
                          "t96"."a_entity",
                          "t96"."a_signup",
                          "t96"."a_converted"
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
                            FROM "t87" AS "t88"
                            WHERE
                              "t88"."rule_satisfied_at" IS NOT NULL
                          ) AS "t91"
                            ON "t58"."a_entity" = "t91"."c_id"
                        ) AS "t96"
                          ON "t36"."entity_id" = "t96"."a_entity"
                      ) AS "t97"
                      WHERE
                        "t97"."ts" >= "t97"."a_signup"
                    ) AS "t98"
                  ) AS "t99"
                ) AS "t100"
                GROUP BY
                  1,
                  2
              ) AS "t101"
            ) AS "t102"
            GROUP BY
              1
          ) AS "t104"
            ON "t94"."entity_id" = "t104"."a_id"
        ) AS "t105"
      ) AS "t107"
      LEFT OUTER JOIN "t11" AS "t16"
        ON "t107"."entity_id" = "t16"."f_id"
    ) AS "t108"
  ) AS "t109"
)
SELECT
  *
FROM (
  SELECT
    *
  FROM (
    SELECT
      CAST(EXTRACT(year FROM "t114"."cohort_start") AS TEXT) || '-' || CASE
        WHEN 2 <= LENGTH(CAST(EXTRACT(month FROM "t114"."cohort_start") AS TEXT))
        THEN CAST(EXTRACT(month FROM "t114"."cohort_start") AS TEXT)
        ELSE REPEAT('0', 2 - LENGTH(CAST(EXTRACT(month FROM "t114"."cohort_start") AS TEXT))) || CAST(EXTRACT(month FROM "t114"."cohort_start") AS TEXT)
      END AS "cohort",
      "t114"."cohort_start",
      "t114"."complete",
      "t114"."signups",
      COALESCE("t114"."pqls", 0) AS "pqls",
      COALESCE("t114"."converted_pqls", 0) AS "converted_pqls",
      "t114"."signups" - COALESCE("t114"."pqls", 0) AS "non_pql_signups",
      COALESCE("t114"."non_pql_converted", 0) AS "non_pql_converted",
      "t114"."p25" AS "time_to_pql_days_p25",
      "t114"."median" AS "time_to_pql_days_median",
      "t114"."p75" AS "time_to_pql_days_p75"
    FROM (
      SELECT
        "t112"."cohort_start",
        "t112"."complete",
        COUNT(*) AS "signups",
        SUM(CAST("t112"."is_pql" AS INT)) AS "pqls",
        SUM(CAST("t112"."converted_pql" AS INT)) AS "converted_pqls",
        SUM(CAST("t112"."non_pql_converted" AS INT)) AS "non_pql_converted",
        QUANTILE_CONT("t112"."days_to_pql", 0.5) FILTER(WHERE
          "t112"."is_pql") AS "median",
        QUANTILE_CONT("t112"."days_to_pql", 0.25) FILTER(WHERE
          "t112"."is_pql") AS "p25",
        QUANTILE_CONT("t112"."days_to_pql", 0.75) FILTER(WHERE
          "t112"."is_pql") AS "p75"
      FROM (
        SELECT
          "t111"."entity_id",
          "t111"."signup_at",
          "t111"."converted_at",
          "t111"."criterion_0_at",
          "t111"."criterion_1_at",
          "t111"."criterion_2_at",
          "t111"."criterion_3_at",
          "t111"."criterion_4_at",
          "t111"."criterion_5_at",
          "t111"."rule_satisfied_at",
          "t111"."active_days",
          "t111"."active_days_satisfied_at",
          "t111"."fit_free_email",
          "t111"."fit_employees",
          "t111"."fit",
          "t111"."qualified_at",
          CASE
            WHEN (
              "t111"."qualified_at" IS NOT NULL
            )
            AND (
              "t111"."converted_at" IS NOT NULL
            )
            THEN 'converted_pql'
            WHEN "t111"."qualified_at" IS NOT NULL
            THEN 'pql'
            WHEN "t111"."converted_at" IS NOT NULL
            THEN 'converted_without_qualifying'
            WHEN NOT (
              "t111"."fit"
            )
            THEN 'failed_fit'
            ELSE 'not_qualified'
          END AS "status",
          CAST(NULL AS TEXT) AS "segment",
          DATE_TRUNC('MONTH', "t111"."signup_at") AS "cohort_start",
          (
            DATE_TRUNC('MONTH', "t111"."signup_at") + INTERVAL '1' MONTH + INTERVAL '30' DAY
          ) <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0) AS "complete",
          (
            "t111"."qualified_at" IS NOT NULL
          )
          AND (
            "t111"."qualified_at" <= (
              "t111"."signup_at" + INTERVAL '30' DAY
            )
          ) AS "is_pql",
          (
            "t111"."qualified_at" IS NOT NULL
          )
          AND (
            "t111"."qualified_at" <= (
              "t111"."signup_at" + INTERVAL '30' DAY
            )
          )
          AND (
            "t111"."converted_at" > "t111"."qualified_at"
          )
          AND (
            "t111"."converted_at" <= (
              "t111"."qualified_at" + INTERVAL '90' DAY
            )
          ) AS "converted_pql",
          NOT (
            (
              "t111"."qualified_at" IS NOT NULL
            )
            AND (
              "t111"."qualified_at" <= (
                "t111"."signup_at" + INTERVAL '30' DAY
              )
            )
          )
          AND (
            "t111"."converted_at" IS NOT NULL
          )
          AND (
            "t111"."converted_at" <= (
              "t111"."signup_at" + INTERVAL '120' DAY
            )
          ) AS "non_pql_converted",
          CAST(DATE_DIFF('MICROSECOND', "t111"."signup_at", "t111"."qualified_at") AS DOUBLE) / 86400000000 AS "days_to_pql"
        FROM "t110" AS "t111"
      ) AS "t112"
      GROUP BY
        1,
        2
    ) AS "t114"
  ) AS "t117"
  UNION ALL
  SELECT
    *
  FROM (
    SELECT
      CAST(NULL AS TEXT) AS "cohort",
      CAST(NULL AS TIMESTAMP) AS "cohort_start",
      TRUE AS "complete",
      "t115"."signups",
      COALESCE("t115"."pqls", 0) AS "pqls",
      COALESCE("t115"."converted_pqls", 0) AS "converted_pqls",
      "t115"."signups" - COALESCE("t115"."pqls", 0) AS "non_pql_signups",
      COALESCE("t115"."non_pql_converted", 0) AS "non_pql_converted",
      "t115"."p25" AS "time_to_pql_days_p25",
      "t115"."median" AS "time_to_pql_days_median",
      "t115"."p75" AS "time_to_pql_days_p75"
    FROM (
      SELECT
        COUNT(*) AS "signups",
        SUM(CAST("t113"."is_pql" AS INT)) AS "pqls",
        SUM(CAST("t113"."converted_pql" AS INT)) AS "converted_pqls",
        SUM(CAST("t113"."non_pql_converted" AS INT)) AS "non_pql_converted",
        QUANTILE_CONT("t113"."days_to_pql", 0.5) FILTER(WHERE
          "t113"."is_pql") AS "median",
        QUANTILE_CONT("t113"."days_to_pql", 0.25) FILTER(WHERE
          "t113"."is_pql") AS "p25",
        QUANTILE_CONT("t113"."days_to_pql", 0.75) FILTER(WHERE
          "t113"."is_pql") AS "p75"
      FROM (
        SELECT
          "t111"."entity_id",
          "t111"."signup_at",
          "t111"."converted_at",
          "t111"."criterion_0_at",
          "t111"."criterion_1_at",
          "t111"."criterion_2_at",
          "t111"."criterion_3_at",
          "t111"."criterion_4_at",
          "t111"."criterion_5_at",
          "t111"."rule_satisfied_at",
          "t111"."active_days",
          "t111"."active_days_satisfied_at",
          "t111"."fit_free_email",
          "t111"."fit_employees",
          "t111"."fit",
          "t111"."qualified_at",
          CASE
            WHEN (
              "t111"."qualified_at" IS NOT NULL
            )
            AND (
              "t111"."converted_at" IS NOT NULL
            )
            THEN 'converted_pql'
            WHEN "t111"."qualified_at" IS NOT NULL
            THEN 'pql'
            WHEN "t111"."converted_at" IS NOT NULL
            THEN 'converted_without_qualifying'
            WHEN NOT (
              "t111"."fit"
            )
            THEN 'failed_fit'
            ELSE 'not_qualified'
          END AS "status",
          CAST(NULL AS TEXT) AS "segment",
          DATE_TRUNC('MONTH', "t111"."signup_at") AS "cohort_start",
          (
            DATE_TRUNC('MONTH', "t111"."signup_at") + INTERVAL '1' MONTH + INTERVAL '30' DAY
          ) <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0) AS "complete",
          (
            "t111"."qualified_at" IS NOT NULL
          )
          AND (
            "t111"."qualified_at" <= (
              "t111"."signup_at" + INTERVAL '30' DAY
            )
          ) AS "is_pql",
          (
            "t111"."qualified_at" IS NOT NULL
          )
          AND (
            "t111"."qualified_at" <= (
              "t111"."signup_at" + INTERVAL '30' DAY
            )
          )
          AND (
            "t111"."converted_at" > "t111"."qualified_at"
          )
          AND (
            "t111"."converted_at" <= (
              "t111"."qualified_at" + INTERVAL '90' DAY
            )
          ) AS "converted_pql",
          NOT (
            (
              "t111"."qualified_at" IS NOT NULL
            )
            AND (
              "t111"."qualified_at" <= (
                "t111"."signup_at" + INTERVAL '30' DAY
              )
            )
          )
          AND (
            "t111"."converted_at" IS NOT NULL
          )
          AND (
            "t111"."converted_at" <= (
              "t111"."signup_at" + INTERVAL '120' DAY
            )
          ) AS "non_pql_converted",
          CAST(DATE_DIFF('MICROSECOND', "t111"."signup_at", "t111"."qualified_at") AS DOUBLE) / 86400000000 AS "days_to_pql"
        FROM "t110" AS "t111"
        WHERE
          (
            DATE_TRUNC('MONTH', "t111"."signup_at") + INTERVAL '1' MONTH + INTERVAL '30' DAY
          ) <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
      ) AS "t113"
    ) AS "t115"
  ) AS "t116"
) AS "t118"
ORDER BY
  "t118"."cohort_start" ASC;

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
    ) AS "t22"
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
), "t87" AS (
  SELECT
    "t86"."c_id",
    "t86"."criterion_0_at",
    "t86"."criterion_1_at",
    "t86"."criterion_2_at",
    "t86"."criterion_3_at",
    "t86"."criterion_4_at",
    "t86"."criterion_5_at",
    NULLIF(
      LEAST(
        CASE
          WHEN (
            0.0 + CASE WHEN "t86"."criterion_0_at" <= "t86"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_1_at" <= "t86"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_2_at" <= "t86"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_3_at" <= "t86"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_4_at" <= "t86"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_5_at" <= "t86"."criterion_0_at" THEN 1.0 ELSE 0.0 END
          ) >= 2.999999999
          THEN "t86"."criterion_0_at"
          ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
        END,
        CASE
          WHEN (
            0.0 + CASE WHEN "t86"."criterion_0_at" <= "t86"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_1_at" <= "t86"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_2_at" <= "t86"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_3_at" <= "t86"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_4_at" <= "t86"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_5_at" <= "t86"."criterion_1_at" THEN 1.0 ELSE 0.0 END
          ) >= 2.999999999
          THEN "t86"."criterion_1_at"
          ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
        END,
        CASE
          WHEN (
            0.0 + CASE WHEN "t86"."criterion_0_at" <= "t86"."criterion_2_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_1_at" <= "t86"."criterion_2_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_2_at" <= "t86"."criterion_2_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_3_at" <= "t86"."criterion_2_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_4_at" <= "t86"."criterion_2_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_5_at" <= "t86"."criterion_2_at" THEN 1.0 ELSE 0.0 END
          ) >= 2.999999999
          THEN "t86"."criterion_2_at"
          ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
        END,
        CASE
          WHEN (
            0.0 + CASE WHEN "t86"."criterion_0_at" <= "t86"."criterion_3_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_1_at" <= "t86"."criterion_3_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_2_at" <= "t86"."criterion_3_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_3_at" <= "t86"."criterion_3_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_4_at" <= "t86"."criterion_3_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_5_at" <= "t86"."criterion_3_at" THEN 1.0 ELSE 0.0 END
          ) >= 2.999999999
          THEN "t86"."criterion_3_at"
          ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
        END,
        CASE
          WHEN (
            0.0 + CASE WHEN "t86"."criterion_0_at" <= "t86"."criterion_4_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_1_at" <= "t86"."criterion_4_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_2_at" <= "t86"."criterion_4_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_3_at" <= "t86"."criterion_4_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_4_at" <= "t86"."criterion_4_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_5_at" <= "t86"."criterion_4_at" THEN 1.0 ELSE 0.0 END
          ) >= 2.999999999
          THEN "t86"."criterion_4_at"
          ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
        END,
        CASE
          WHEN (
            0.0 + CASE WHEN "t86"."criterion_0_at" <= "t86"."criterion_5_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_1_at" <= "t86"."criterion_5_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_2_at" <= "t86"."criterion_5_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_3_at" <= "t86"."criterion_5_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_4_at" <= "t86"."criterion_5_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t86"."criterion_5_at" <= "t86"."criterion_5_at" THEN 1.0 ELSE 0.0 END
          ) >= 2.999999999
          THEN "t86"."criterion_5_at"
          ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
        END
      ),
      MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
    ) AS "rule_satisfied_at"
  FROM (
    SELECT
      "t85".*
      EXCLUDE ("s_id")
    FROM (
      SELECT
        "t84"."c_id",
        "t84"."criterion_0_at",
        "t84"."criterion_2_at",
        "t84"."criterion_5_at",
        "t84"."criterion_1_at",
        "t84"."criterion_3_at",
        "t78"."s_id",
        "t78"."criterion_4_at"
      FROM (
        SELECT
          "t82".*
          EXCLUDE ("s_id")
        FROM (
          SELECT
            "t81"."c_id",
            "t81"."criterion_0_at",
            "t81"."criterion_2_at",
            "t81"."criterion_5_at",
            "t81"."criterion_1_at",
            "t75"."s_id",
            "t75"."criterion_3_at"
          FROM (
            SELECT
              "t79".*
              EXCLUDE ("s_id")
            FROM (
              SELECT
                "t72"."c_id",
                "t72"."criterion_0_at",
                "t72"."criterion_2_at",
                "t72"."criterion_5_at",
                "t76"."s_id",
                "t76"."criterion_1_at"
              FROM (
                SELECT
                  "t65"."entity_id" AS "c_id",
                  MIN("t65"."ts") FILTER(WHERE
                    "t65"."event" = 'Invited Member') AS "criterion_0_at",
                  MIN("t65"."ts") FILTER(WHERE
                    CASE
                      WHEN "t65"."event" = 'Shared Document'
                      THEN "t65"."ts" < (
                        "t65"."signup_at" + INTERVAL '14' DAY
                      )
                      ELSE FALSE
                    END) AS "criterion_2_at",
                  MIN("t65"."ts") FILTER(WHERE
                    "t65"."event" = 'Created Calendar') AS "criterion_5_at"
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
                              AND "t19"."event" IN (
                                'Added Task',
                                'Created Calendar',
                                'Created Document',
                                'Invited Member',
                                'Shared Document',
                                'Uploaded Asset'
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
                                AND "t19"."event" IN (
                                  'Added Task',
                                  'Created Calendar',
                                  'Created Document',
                                  'Invited Member',
                                  'Shared Document',
                                  'Uploaded Asset'
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
                ) AS "t65"
                GROUP BY
                  1
              ) AS "t72"
              LEFT OUTER JOIN (
                SELECT
                  "t69"."entity_id" AS "s_id",
                  "t69"."ts" AS "criterion_1_at"
                FROM (
                  SELECT
                    "t66"."entity_id",
                    "t66"."event",
                    "t66"."properties",
                    "t66"."ts",
                    "t66"."signup_at",
                    "t66"."converted_at",
                    ROW_NUMBER() OVER (
                      PARTITION BY "t66"."entity_id"
                      ORDER BY "t66"."ts" ASC
                      ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                    ) - 1 AS "position"
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
                                AND "t19"."event" IN (
                                  'Added Task',
                                  'Created Calendar',
                                  'Created Document',
                                  'Invited Member',
                                  'Shared Document',
                                  'Uploaded Asset'
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
                                  AND "t19"."event" IN (
                                    'Added Task',
                                    'Created Calendar',
                                    'Created Document',
                                    'Invited Member',
                                    'Shared Document',
                                    'Uploaded Asset'
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
                        (
                          "t63"."a_converted" IS NULL
                        ) OR (
                          "t63"."ts" < "t63"."a_converted"
                        )
                      )
                      AND "t63"."event" = 'Created Document'
                  ) AS "t66"
                ) AS "t69"
                WHERE
                  "t69"."position" = 1
              ) AS "t76"
                ON "t72"."c_id" = "t76"."s_id"
            ) AS "t79"
          ) AS "t81"
          LEFT OUTER JOIN (
            SELECT
              "t68"."entity_id" AS "s_id",
              "t68"."ts" AS "criterion_3_at"
            FROM (
              SELECT
                "t64"."entity_id",
                "t64"."event",
                "t64"."properties",
                "t64"."ts",
                "t64"."signup_at",
                "t64"."converted_at",
                ROW_NUMBER() OVER (
                  PARTITION BY "t64"."entity_id"
                  ORDER BY "t64"."ts" ASC
                  ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                ) - 1 AS "position"
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
                            AND "t19"."event" IN (
                              'Added Task',
                              'Created Calendar',
                              'Created Document',
                              'Invited Member',
                              'Shared Document',
                              'Uploaded Asset'
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
                              AND "t19"."event" IN (
                                'Added Task',
                                'Created Calendar',
                                'Created Document',
                                'Invited Member',
                                'Shared Document',
                                'Uploaded Asset'
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
                    (
                      "t63"."a_converted" IS NULL
                    ) OR (
                      "t63"."ts" < "t63"."a_converted"
                    )
                  )
                  AND "t63"."event" = 'Uploaded Asset'
              ) AS "t64"
            ) AS "t68"
            WHERE
              "t68"."position" = 2
          ) AS "t75"
            ON "t81"."c_id" = "t75"."s_id"
        ) AS "t82"
      ) AS "t84"
      LEFT OUTER JOIN (
        SELECT
          "t71"."entity_id" AS "s_id",
          "t71"."ts" AS "criterion_4_at"
        FROM (
          SELECT
            "t67"."entity_id",
            "t67"."event",
            "t67"."properties",
            "t67"."ts",
            "t67"."signup_at",
            "t67"."converted_at",
            ROW_NUMBER() OVER (
              PARTITION BY "t67"."entity_id"
              ORDER BY "t67"."ts" ASC
              ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
            ) - 1 AS "position"
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
                        AND "t19"."event" IN (
                          'Added Task',
                          'Created Calendar',
                          'Created Document',
                          'Invited Member',
                          'Shared Document',
                          'Uploaded Asset'
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
                          AND "t19"."event" IN (
                            'Added Task',
                            'Created Calendar',
                            'Created Document',
                            'Invited Member',
                            'Shared Document',
                            'Uploaded Asset'
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
                (
                  "t63"."a_converted" IS NULL
                ) OR (
                  "t63"."ts" < "t63"."a_converted"
                )
              )
              AND "t63"."event" = 'Added Task'
              AND COALESCE(
                CASE
                  WHEN JSON_TYPE("t63"."properties" -> '$.source') = 'VARCHAR'
                  THEN (
                    "t63"."properties" -> '$.source'
                  ) ->> '$'
                  ELSE NULL
                END IN ('web'),
                FALSE
              )
          ) AS "t67"
        ) AS "t71"
        WHERE
          "t71"."position" = 2
      ) AS "t78"
        ON "t84"."c_id" = "t78"."s_id"
    ) AS "t85"
  ) AS "t86"
)
SELECT
  CAST(EXTRACT(year FROM "t112"."start") AS TEXT) || '-' || CASE
    WHEN 2 <= LENGTH(CAST(EXTRACT(month FROM "t112"."start") AS TEXT))
    THEN CAST(EXTRACT(month FROM "t112"."start") AS TEXT)
    ELSE REPEAT('0', 2 - LENGTH(CAST(EXTRACT(month FROM "t112"."start") AS TEXT))) || CAST(EXTRACT(month FROM "t112"."start") AS TEXT)
  END AS "period",
  "t112"."start" AS "period_start",
  "t112"."pqls"
FROM (
  SELECT
    DATE_TRUNC('MONTH', "t111"."qualified_at") AS "start",
    "t111"."segment",
    COUNT(*) AS "pqls"
  FROM (
    SELECT
      "t110"."entity_id",
      "t110"."signup_at",
      "t110"."converted_at",
      "t110"."criterion_0_at",
      "t110"."criterion_1_at",
      "t110"."criterion_2_at",
      "t110"."criterion_3_at",
      "t110"."criterion_4_at",
      "t110"."criterion_5_at",
      "t110"."rule_satisfied_at",
      "t110"."active_days",
      "t110"."active_days_satisfied_at",
      "t110"."fit_free_email",
      "t110"."fit_employees",
      "t110"."fit",
      "t110"."qualified_at",
      CASE
        WHEN (
          "t110"."qualified_at" IS NOT NULL
        )
        AND (
          "t110"."converted_at" IS NOT NULL
        )
        THEN 'converted_pql'
        WHEN "t110"."qualified_at" IS NOT NULL
        THEN 'pql'
        WHEN "t110"."converted_at" IS NOT NULL
        THEN 'converted_without_qualifying'
        WHEN NOT (
          "t110"."fit"
        )
        THEN 'failed_fit'
        ELSE 'not_qualified'
      END AS "status",
      CAST(NULL AS TEXT) AS "segment",
      DATE_TRUNC('MONTH', "t110"."signup_at") AS "cohort_start",
      (
        DATE_TRUNC('MONTH', "t110"."signup_at") + INTERVAL '1' MONTH + INTERVAL '30' DAY
      ) <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0) AS "complete",
      (
        "t110"."qualified_at" IS NOT NULL
      )
      AND (
        "t110"."qualified_at" <= (
          "t110"."signup_at" + INTERVAL '30' DAY
        )
      ) AS "is_pql",
      (
        "t110"."qualified_at" IS NOT NULL
      )
      AND (
        "t110"."qualified_at" <= (
          "t110"."signup_at" + INTERVAL '30' DAY
        )
      )
      AND (
        "t110"."converted_at" > "t110"."qualified_at"
      )
      AND (
        "t110"."converted_at" <= (
          "t110"."qualified_at" + INTERVAL '90' DAY
        )
      ) AS "converted_pql",
      NOT (
        (
          "t110"."qualified_at" IS NOT NULL
        )
        AND (
          "t110"."qualified_at" <= (
            "t110"."signup_at" + INTERVAL '30' DAY
          )
        )
      )
      AND (
        "t110"."converted_at" IS NOT NULL
      )
      AND (
        "t110"."converted_at" <= (
          "t110"."signup_at" + INTERVAL '120' DAY
        )
      ) AS "non_pql_converted",
      CAST(DATE_DIFF('MICROSECOND', "t110"."signup_at", "t110"."qualified_at") AS DOUBLE) / 86400000000 AS "days_to_pql"
    FROM (
      SELECT
        "t109"."entity_id",
        "t109"."signup_at",
        "t109"."converted_at",
        "t109"."criterion_0_at",
        "t109"."criterion_1_at",
        "t109"."criterion_2_at",
        "t109"."criterion_3_at",
        "t109"."criterion_4_at",
        "t109"."criterion_5_at",
        "t109"."rule_satisfied_at",
        COALESCE("t109"."active_days", 0) AS "active_days",
        "t109"."active_days_satisfied_at",
        "t109"."fit_free_email",
        "t109"."fit_employees",
        COALESCE("t109"."fit_free_email", TRUE)
        AND COALESCE("t109"."fit_employees", TRUE) AS "fit",
        CASE
          WHEN (
            "t109"."converted_at" IS NOT NULL
          )
          AND (
            "t109"."converted_at" <= CASE
              WHEN COALESCE("t109"."fit_free_email", TRUE)
              AND COALESCE("t109"."fit_employees", TRUE)
              THEN CASE
                WHEN (
                  "t109"."rule_satisfied_at" IS NULL
                )
                OR (
                  "t109"."active_days_satisfied_at" IS NULL
                )
                THEN CAST(NULL AS TIMESTAMP)
                ELSE GREATEST("t109"."rule_satisfied_at", "t109"."active_days_satisfied_at")
              END
              ELSE CAST(NULL AS TIMESTAMP)
            END
          )
          THEN CAST(NULL AS TIMESTAMP)
          ELSE CASE
            WHEN COALESCE("t109"."fit_free_email", TRUE)
            AND COALESCE("t109"."fit_employees", TRUE)
            THEN CASE
              WHEN (
                "t109"."rule_satisfied_at" IS NULL
              )
              OR (
                "t109"."active_days_satisfied_at" IS NULL
              )
              THEN CAST(NULL AS TIMESTAMP)
              ELSE GREATEST("t109"."rule_satisfied_at", "t109"."active_days_satisfied_at")
            END
            ELSE CAST(NULL AS TIMESTAMP)
          END
        END AS "qualified_at"
      FROM (
        SELECT
          "t108".*
          EXCLUDE ("f_id")
        FROM (
          SELECT
            "t107"."entity_id",
            "t107"."signup_at",
            "t107"."converted_at",
            "t107"."criterion_0_at",
            "t107"."criterion_1_at",
            "t107"."criterion_2_at",
            "t107"."criterion_3_at",
            "t107"."criterion_4_at",
            "t107"."criterion_5_at",
            "t107"."rule_satisfied_at",
            "t107"."active_days",
            "t107"."active_days_satisfied_at",
            "t16"."f_id",
            "t16"."fit_free_email",
            "t16"."fit_employees"
          FROM (
            SELECT
              "t105".*
              EXCLUDE ("a_id")
            FROM (
              SELECT
                "t94"."entity_id",
                "t94"."signup_at",
                "t94"."converted_at",
                "t94"."criterion_0_at",
                "t94"."criterion_1_at",
                "t94"."criterion_2_at",
                "t94"."criterion_3_at",
                "t94"."criterion_4_at",
                "t94"."criterion_5_at",
                "t94"."rule_satisfied_at",
                "t104"."a_id",
                "t104"."active_days",
                "t104"."active_days_satisfied_at"
              FROM (
                SELECT
                  "t92".*
                  EXCLUDE ("c_id")
                FROM (
                  SELECT
                    "t57"."entity_id",
                    "t57"."signup_at",
                    "t57"."converted_at",
                    "t89"."c_id",
                    "t89"."criterion_0_at",
                    "t89"."criterion_1_at",
                    "t89"."criterion_2_at",
                    "t89"."criterion_3_at",
                    "t89"."criterion_4_at",
                    "t89"."criterion_5_at",
                    "t89"."rule_satisfied_at"
                  FROM (
                    SELECT
                      *
                    FROM "t53" AS "t54"
                    WHERE
                      "t54"."signup_at" <= MAKE_TIMESTAMP(2026, 11, 1, 0, 0, 0.0)
                  ) AS "t57"
                  LEFT OUTER JOIN "t87" AS "t89"
                    ON "t57"."entity_id" = "t89"."c_id"
                ) AS "t92"
              ) AS "t94"
              LEFT OUTER JOIN (
                SELECT
                  "t102"."entity_id" AS "a_id",
                  COUNT("t102"."first_ts") AS "active_days",
                  MIN("t102"."first_ts") FILTER(WHERE
                    "t102"."position" = 1) AS "active_days_satisfied_at"
                FROM (
                  SELECT
                    "t101"."entity_id",
                    "t101"."day",
                    "t101"."first_ts",
                    ROW_NUMBER() OVER (
                      PARTITION BY "t101"."entity_id"
                      ORDER BY "t101"."day" ASC
                      ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                    ) - 1 AS "position"
                  FROM (
                    SELECT
                      "t100"."entity_id",
                      DATE_TRUNC('DAY', "t100"."ts") AS "day",
                      MIN("t100"."ts") AS "first_ts"
                    FROM (
                      SELECT
                        "t99"."entity_id",
                        "t99"."ts",
                        "t99"."a_signup" AS "signup_at",
                        "t99"."a_converted" AS "converted_at"
                      FROM (
                        SELECT
                          "t98".*
                          EXCLUDE ("a_entity")
                        FROM (
                          SELECT
                            *
                          FROM (
                            SELECT
                              "t36"."entity_id",
                              "t36"."ts",
                              "t96"."a_entity",
                              "t96"."a_signup",
                              "t96"."a_converted"
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
                                FROM "t87" AS "t88"
                                WHERE
                                  "t88"."rule_satisfied_at" IS NOT NULL
                              ) AS "t91"
                                ON "t58"."a_entity" = "t91"."c_id"
                            ) AS "t96"
                              ON "t36"."entity_id" = "t96"."a_entity"
                          ) AS "t97"
                          WHERE
                            "t97"."ts" >= "t97"."a_signup"
                        ) AS "t98"
                      ) AS "t99"
                    ) AS "t100"
                    GROUP BY
                      1,
                      2
                  ) AS "t101"
                ) AS "t102"
                GROUP BY
                  1
              ) AS "t104"
                ON "t94"."entity_id" = "t104"."a_id"
            ) AS "t105"
          ) AS "t107"
          LEFT OUTER JOIN "t11" AS "t16"
            ON "t107"."entity_id" = "t16"."f_id"
        ) AS "t108"
      ) AS "t109"
    ) AS "t110"
    WHERE
      "t110"."qualified_at" IS NOT NULL
  ) AS "t111"
  GROUP BY
    1,
    2
) AS "t112"
ORDER BY
  "t112"."start" ASC,
  "t112"."segment" ASC NULLS FIRST;
