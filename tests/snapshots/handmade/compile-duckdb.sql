-- pqlengine <version> SQL export, dialect duckdb, generated <wall-clock>
-- project handmade, definition hand, version 87df380f9143 (content hash, as `pql check` prints it)
-- as of: 2026-03-31T00:00:00Z
-- reads: events, users, accounts, conversions
-- expects: timestamps TIMESTAMP holding UTC
-- semantics: pqlengine's docs/semantics.md; the engine's results are the reference
--
-- qualified_entities: criterion_<i>_at are the criteria in order:
--   criterion_0_at = create (Create ≥ 2)
--   criterion_1_at = invite (Invite ≥ 1)
--
-- cohort_metrics: cohorts by month of signup_at (weeks start Monday 00:00 UTC,
-- ISO labels like 2026-W02; months like 2026-01); complete = as_of >= cohort end
-- + 7 observation days. The rates and their 95% intervals come from
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
WITH "t34" AS (
  SELECT
    *
  FROM (
    SELECT
      "t21"."account_id" AS "entity_id",
      "t21"."ts"
    FROM (
      SELECT
        "t20".*
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
        ) AS "t16"
        WHERE
          (
            "t16"."_pql_copy" = 0
          ) OR (
            "t16"."event_id" IS NULL
          )
      ) AS "t20"
    ) AS "t21"
    WHERE
      "t21"."ts" <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
      AND "t21"."account_id" IS NOT NULL
  ) AS "t22"
  UNION ALL
  SELECT
    *
  FROM (
    SELECT
      "t13"."member_account" AS "entity_id",
      "t28"."ts"
    FROM (
      SELECT
        "t21"."user_id",
        "t21"."account_id",
        "t21"."ts"
      FROM (
        SELECT
          "t20".*
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
          ) AS "t16"
          WHERE
            (
              "t16"."_pql_copy" = 0
            ) OR (
              "t16"."event_id" IS NULL
            )
        ) AS "t20"
      ) AS "t21"
      WHERE
        "t21"."ts" <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
        AND "t21"."account_id" IS NULL
    ) AS "t28"
    INNER JOIN (
      SELECT
        "t2"."user_id" AS "member_id",
        "t2"."account_id" AS "member_account"
      FROM "users" AS "t2"
      WHERE
        "t2"."account_id" IS NOT NULL
    ) AS "t13"
      ON "t28"."user_id" = "t13"."member_id"
  ) AS "t31"
), "t40" AS (
  SELECT
    "t35"."entity_id",
    MIN("t35"."ts") AS "first_event_at"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t21"."account_id" AS "entity_id",
        "t21"."event",
        "t21"."ts"
      FROM (
        SELECT
          "t20".*
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
          ) AS "t16"
          WHERE
            (
              "t16"."_pql_copy" = 0
            ) OR (
              "t16"."event_id" IS NULL
            )
        ) AS "t20"
      ) AS "t21"
      WHERE
        "t21"."ts" <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
        AND "t21"."account_id" IS NOT NULL
    ) AS "t24"
    UNION ALL
    SELECT
      *
    FROM (
      SELECT
        "t13"."member_account" AS "entity_id",
        "t29"."event",
        "t29"."ts"
      FROM (
        SELECT
          "t21"."user_id",
          "t21"."account_id",
          "t21"."event",
          "t21"."ts"
        FROM (
          SELECT
            "t20".*
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
            ) AS "t16"
            WHERE
              (
                "t16"."_pql_copy" = 0
              ) OR (
                "t16"."event_id" IS NULL
              )
          ) AS "t20"
        ) AS "t21"
        WHERE
          "t21"."ts" <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
          AND "t21"."account_id" IS NULL
      ) AS "t29"
      INNER JOIN (
        SELECT
          "t2"."user_id" AS "member_id",
          "t2"."account_id" AS "member_account"
        FROM "users" AS "t2"
        WHERE
          "t2"."account_id" IS NOT NULL
      ) AS "t13"
        ON "t29"."user_id" = "t13"."member_id"
    ) AS "t32"
  ) AS "t35"
  GROUP BY
    1
), "t55" AS (
  SELECT
    "t54"."entity_id",
    COALESCE("t54"."signup_0", "t54"."signup_1", "t47"."first_event_at") AS "signup_at",
    "t19"."converted_at"
  FROM (
    SELECT
      "t52"."entity_id",
      "t52"."signup_0",
      "t52"."signup_1"
    FROM (
      SELECT
        "t51"."entity_id",
        "t51"."signup_0",
        "t17"."id_1",
        "t17"."signup_1"
      FROM (
        SELECT
          "t49"."entity_id",
          "t49"."signup_0"
        FROM (
          SELECT
            "t48"."entity_id",
            "t7"."id_0",
            "t7"."signup_0"
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
              ) AS "t4"
              UNION
              SELECT
                *
              FROM (
                SELECT
                  "t2"."account_id" AS "entity_id"
                FROM "users" AS "t2"
                WHERE
                  "t2"."account_id" IS NOT NULL
              ) AS "t9"
            ) AS "t14"
            UNION
            SELECT
              *
            FROM (
              SELECT
                "t42"."entity_id"
              FROM "t40" AS "t42"
            ) AS "t44"
          ) AS "t48"
          LEFT OUTER JOIN (
            SELECT
              "t0"."account_id" AS "id_0",
              "t0"."created_at" AS "signup_0"
            FROM "accounts" AS "t0"
          ) AS "t7"
            ON "t48"."entity_id" = "t7"."id_0"
        ) AS "t49"
      ) AS "t51"
      LEFT OUTER JOIN (
        SELECT
          "t10"."entity_id" AS "id_1",
          "t10"."value" AS "signup_1"
        FROM (
          SELECT
            "t2"."account_id" AS "entity_id",
            MIN("t2"."signed_up_at") AS "value"
          FROM "users" AS "t2"
          GROUP BY
            1
        ) AS "t10"
      ) AS "t17"
        ON "t51"."entity_id" = "t17"."id_1"
    ) AS "t52"
  ) AS "t54"
  LEFT OUTER JOIN (
    SELECT
      "t42"."entity_id" AS "fe_id",
      "t42"."first_event_at"
    FROM "t40" AS "t42"
  ) AS "t47"
    ON "t54"."entity_id" = "t47"."fe_id"
  LEFT OUTER JOIN (
    SELECT
      "t11"."entity_id" AS "conv_entity_id",
      MIN("t11"."converted_at") AS "converted_at"
    FROM (
      SELECT
        *
      FROM "conversions" AS "t3"
      WHERE
        "t3"."converted_at" <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
    ) AS "t11"
    GROUP BY
      1
  ) AS "t19"
    ON "t54"."entity_id" = "t19"."conv_entity_id"
)
SELECT
  "t87"."entity_id",
  "t87"."signup_at",
  "t87"."converted_at",
  "t87"."criterion_0_at",
  "t87"."criterion_1_at",
  "t87"."rule_satisfied_at",
  "t87"."active_days",
  "t87"."active_days_satisfied_at",
  "t87"."fit_employees",
  "t87"."last_seen_at",
  "t87"."fit",
  "t87"."qualified_at",
  "t87"."status",
  CASE
    WHEN "t87"."qualified_at" IS NOT NULL
    THEN CAST(["t87"."qualified_at"] AS TIMESTAMP[])
    ELSE CAST(NULL AS TIMESTAMP[])
  END AS "episode_starts",
  CASE
    WHEN "t87"."status" = 'converted_pql'
    THEN CAST(["t87"."converted_at"] AS TIMESTAMP(6)[])
    ELSE CAST(NULL AS TIMESTAMP[])
  END AS "episode_ends",
  CASE
    WHEN "t87"."status" = 'pql'
    THEN "t87"."qualified_at"
    ELSE CAST(NULL AS TIMESTAMP)
  END AS "pql_since",
  CAST(NULL AS TIMESTAMP) AS "lapsed_at",
  CAST(NULL AS TIMESTAMP) AS "next_change_at",
  '87df380f9143' AS "definition_version",
  MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0) AS "as_of"
FROM (
  SELECT
    "t86"."entity_id",
    "t86"."signup_at",
    "t86"."converted_at",
    "t86"."criterion_0_at",
    "t86"."criterion_1_at",
    "t86"."rule_satisfied_at",
    "t86"."active_days",
    "t86"."active_days_satisfied_at",
    "t86"."fit_employees",
    "t86"."last_seen_at",
    "t86"."fit",
    "t86"."qualified_at",
    CASE
      WHEN (
        "t86"."qualified_at" IS NOT NULL
      ) AND (
        "t86"."converted_at" IS NOT NULL
      )
      THEN 'converted_pql'
      WHEN (
        "t86"."qualified_at" IS NOT NULL
      ) AND TRUE
      THEN 'pql'
      WHEN "t86"."qualified_at" IS NOT NULL
      THEN 'lapsed'
      WHEN "t86"."converted_at" IS NOT NULL
      THEN 'converted_without_qualifying'
      WHEN NOT (
        "t86"."fit"
      )
      THEN 'failed_fit'
      ELSE 'not_qualified'
    END AS "status"
  FROM (
    SELECT
      "t85"."entity_id",
      "t85"."signup_at",
      "t85"."converted_at",
      "t85"."criterion_0_at",
      "t85"."criterion_1_at",
      "t85"."rule_satisfied_at",
      COALESCE("t85"."active_days", 0) AS "active_days",
      "t85"."active_days_satisfied_at",
      "t85"."fit_employees",
      "t85"."last_seen_at",
      COALESCE("t85"."fit_employees", TRUE) AS "fit",
      CASE
        WHEN (
          "t85"."converted_at" IS NOT NULL
        )
        AND (
          "t85"."converted_at" <= CASE
            WHEN COALESCE("t85"."fit_employees", TRUE)
            THEN CASE
              WHEN (
                "t85"."rule_satisfied_at" IS NULL
              )
              OR (
                "t85"."active_days_satisfied_at" IS NULL
              )
              THEN CAST(NULL AS TIMESTAMP)
              ELSE GREATEST("t85"."rule_satisfied_at", "t85"."active_days_satisfied_at")
            END
            ELSE CAST(NULL AS TIMESTAMP)
          END
        )
        THEN CAST(NULL AS TIMESTAMP)
        ELSE CASE
          WHEN COALESCE("t85"."fit_employees", TRUE)
          THEN CASE
            WHEN (
              "t85"."rule_satisfied_at" IS NULL
            )
            OR (
              "t85"."active_days_satisfied_at" IS NULL
            )
            THEN CAST(NULL AS TIMESTAMP)
            ELSE GREATEST("t85"."rule_satisfied_at", "t85"."active_days_satisfied_at")
          END
          ELSE CAST(NULL AS TIMESTAMP)
        END
      END AS "qualified_at"
    FROM (
      SELECT
        "t84".*
        EXCLUDE ("l_id")
      FROM (
        SELECT
          "t83"."entity_id",
          "t83"."signup_at",
          "t83"."converted_at",
          "t83"."criterion_0_at",
          "t83"."criterion_1_at",
          "t83"."rule_satisfied_at",
          "t83"."active_days",
          "t83"."active_days_satisfied_at",
          "t83"."fit_employees",
          "t43"."l_id",
          "t43"."last_seen_at"
        FROM (
          SELECT
            "t81".*
            EXCLUDE ("f_id")
          FROM (
            SELECT
              "t80"."entity_id",
              "t80"."signup_at",
              "t80"."converted_at",
              "t80"."criterion_0_at",
              "t80"."criterion_1_at",
              "t80"."rule_satisfied_at",
              "t80"."active_days",
              "t80"."active_days_satisfied_at",
              "t12"."f_id",
              "t12"."fit_employees"
            FROM (
              SELECT
                "t78".*
                EXCLUDE ("a_id")
              FROM (
                SELECT
                  "t77"."entity_id",
                  "t77"."signup_at",
                  "t77"."converted_at",
                  "t77"."criterion_0_at",
                  "t77"."criterion_1_at",
                  "t77"."rule_satisfied_at",
                  "t72"."a_id",
                  "t72"."active_days",
                  "t72"."active_days_satisfied_at"
                FROM (
                  SELECT
                    "t75".*
                    EXCLUDE ("c_id")
                  FROM (
                    SELECT
                      "t59"."entity_id",
                      "t59"."signup_at",
                      "t59"."converted_at",
                      "t74"."c_id",
                      "t74"."criterion_0_at",
                      "t74"."criterion_1_at",
                      "t74"."rule_satisfied_at"
                    FROM (
                      SELECT
                        *
                      FROM "t55" AS "t56"
                      WHERE
                        "t56"."signup_at" <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
                    ) AS "t59"
                    LEFT OUTER JOIN (
                      SELECT
                        "t71"."c_id",
                        "t71"."criterion_0_at",
                        "t71"."criterion_1_at",
                        NULLIF(
                          LEAST(
                            CASE
                              WHEN (
                                0.0 + CASE WHEN "t71"."criterion_0_at" <= "t71"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t71"."criterion_1_at" <= "t71"."criterion_0_at" THEN 1.0 ELSE 0.0 END
                              ) >= 1.999999999
                              THEN "t71"."criterion_0_at"
                              ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
                            END,
                            CASE
                              WHEN (
                                0.0 + CASE WHEN "t71"."criterion_0_at" <= "t71"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t71"."criterion_1_at" <= "t71"."criterion_1_at" THEN 1.0 ELSE 0.0 END
                              ) >= 1.999999999
                              THEN "t71"."criterion_1_at"
                              ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
                            END
                          ),
                          MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
                        ) AS "rule_satisfied_at"
                      FROM (
                        SELECT
                          "t68"."entity_id" AS "c_id",
                          LIST_EXTRACT(MIN("t68"."ts", 2) FILTER(WHERE
                            "t68"."event" = 'Create'), 2) AS "criterion_0_at",
                          MIN("t68"."ts") FILTER(WHERE
                            CASE
                              WHEN "t68"."event" = 'Invite'
                              THEN "t68"."ts" < (
                                "t68"."signup_at" + INTERVAL '3' DAY
                              )
                              ELSE FALSE
                            END) AS "criterion_1_at"
                        FROM (
                          SELECT
                            "t66"."entity_id",
                            "t66"."event",
                            "t66"."ts",
                            "t66"."a_signup" AS "signup_at",
                            "t66"."a_converted" AS "converted_at"
                          FROM (
                            SELECT
                              "t64".*
                              EXCLUDE ("a_entity")
                            FROM (
                              SELECT
                                *
                              FROM (
                                SELECT
                                  "t38"."entity_id",
                                  "t38"."event",
                                  "t38"."ts",
                                  "t60"."a_entity",
                                  "t60"."a_signup",
                                  "t60"."a_converted"
                                FROM (
                                  SELECT
                                    *
                                  FROM (
                                    SELECT
                                      "t21"."account_id" AS "entity_id",
                                      "t21"."event",
                                      "t21"."ts"
                                    FROM (
                                      SELECT
                                        "t20".*
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
                                        ) AS "t16"
                                        WHERE
                                          (
                                            "t16"."_pql_copy" = 0
                                          ) OR (
                                            "t16"."event_id" IS NULL
                                          )
                                      ) AS "t20"
                                    ) AS "t21"
                                    WHERE
                                      "t21"."ts" <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
                                      AND ARRAY_CONTAINS(['Create', 'Invite'], "t21"."event")
                                      AND "t21"."account_id" IS NOT NULL
                                  ) AS "t26"
                                  UNION ALL
                                  SELECT
                                    *
                                  FROM (
                                    SELECT
                                      "t13"."member_account" AS "entity_id",
                                      "t30"."event",
                                      "t30"."ts"
                                    FROM (
                                      SELECT
                                        "t21"."user_id",
                                        "t21"."account_id",
                                        "t21"."event",
                                        "t21"."ts"
                                      FROM (
                                        SELECT
                                          "t20".*
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
                                          ) AS "t16"
                                          WHERE
                                            (
                                              "t16"."_pql_copy" = 0
                                            ) OR (
                                              "t16"."event_id" IS NULL
                                            )
                                        ) AS "t20"
                                      ) AS "t21"
                                      WHERE
                                        "t21"."ts" <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
                                        AND ARRAY_CONTAINS(['Create', 'Invite'], "t21"."event")
                                        AND "t21"."account_id" IS NULL
                                    ) AS "t30"
                                    INNER JOIN (
                                      SELECT
                                        "t2"."user_id" AS "member_id",
                                        "t2"."account_id" AS "member_account"
                                      FROM "users" AS "t2"
                                      WHERE
                                        "t2"."account_id" IS NOT NULL
                                    ) AS "t13"
                                      ON "t30"."user_id" = "t13"."member_id"
                                  ) AS "t33"
                                ) AS "t38"
                                INNER JOIN (
                                  SELECT
                                    "t56"."entity_id" AS "a_entity",
                                    "t56"."signup_at" AS "a_signup",
                                    "t56"."converted_at" AS "a_converted"
                                  FROM "t55" AS "t56"
                                  WHERE
                                    "t56"."signup_at" <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
                                ) AS "t60"
                                  ON "t38"."entity_id" = "t60"."a_entity"
                              ) AS "t62"
                              WHERE
                                "t62"."ts" >= "t62"."a_signup"
                            ) AS "t64"
                          ) AS "t66"
                          WHERE
                            (
                              "t66"."a_converted" IS NULL
                            ) OR (
                              "t66"."ts" < "t66"."a_converted"
                            )
                        ) AS "t68"
                        GROUP BY
                          1
                      ) AS "t71"
                    ) AS "t74"
                      ON "t59"."entity_id" = "t74"."c_id"
                  ) AS "t75"
                ) AS "t77"
                LEFT OUTER JOIN (
                  SELECT
                    "t69"."entity_id" AS "a_id",
                    COUNT("t69"."first_ts") AS "active_days",
                    LIST_EXTRACT(MIN("t69"."first_ts", 2) FILTER(WHERE
                      "t69"."first_ts" IS NOT NULL), 2) AS "active_days_satisfied_at"
                  FROM (
                    SELECT
                      "t67"."entity_id",
                      DATE_TRUNC('DAY', "t67"."ts") AS "day",
                      MIN("t67"."ts") AS "first_ts"
                    FROM (
                      SELECT
                        "t65"."entity_id",
                        "t65"."ts",
                        "t65"."a_signup" AS "signup_at",
                        "t65"."a_converted" AS "converted_at"
                      FROM (
                        SELECT
                          "t63".*
                          EXCLUDE ("a_entity")
                        FROM (
                          SELECT
                            *
                          FROM (
                            SELECT
                              "t39"."entity_id",
                              "t39"."ts",
                              "t60"."a_entity",
                              "t60"."a_signup",
                              "t60"."a_converted"
                            FROM "t34" AS "t39"
                            INNER JOIN (
                              SELECT
                                "t56"."entity_id" AS "a_entity",
                                "t56"."signup_at" AS "a_signup",
                                "t56"."converted_at" AS "a_converted"
                              FROM "t55" AS "t56"
                              WHERE
                                "t56"."signup_at" <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
                            ) AS "t60"
                              ON "t39"."entity_id" = "t60"."a_entity"
                          ) AS "t61"
                          WHERE
                            "t61"."ts" >= "t61"."a_signup"
                        ) AS "t63"
                      ) AS "t65"
                    ) AS "t67"
                    GROUP BY
                      1,
                      2
                  ) AS "t69"
                  GROUP BY
                    1
                ) AS "t72"
                  ON "t77"."entity_id" = "t72"."a_id"
              ) AS "t78"
            ) AS "t80"
            LEFT OUTER JOIN (
              SELECT
                "t0"."account_id" AS "f_id",
                "t0"."employees" >= 5 AS "fit_employees"
              FROM "accounts" AS "t0"
            ) AS "t12"
              ON "t80"."entity_id" = "t12"."f_id"
          ) AS "t81"
        ) AS "t83"
        LEFT OUTER JOIN (
          SELECT
            "t37"."entity_id" AS "l_id",
            MAX("t37"."ts") AS "last_seen_at"
          FROM "t34" AS "t37"
          GROUP BY
            1
        ) AS "t43"
          ON "t83"."entity_id" = "t43"."l_id"
      ) AS "t84"
    ) AS "t85"
  ) AS "t86"
) AS "t87"
ORDER BY
  "t87"."entity_id" ASC;

-- cohort_metrics: sufficient statistics per month of signup, then the overall row (cohort NULL) over complete cohorts
WITH "t41" AS (
  SELECT
    "t37"."entity_id",
    MIN("t37"."ts") AS "first_event_at"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t23"."account_id" AS "entity_id",
        "t23"."event",
        "t23"."ts"
      FROM (
        SELECT
          "t22".*
          EXCLUDE ("_pql_copy")
        FROM (
          SELECT
            *
          FROM (
            SELECT
              "t3"."event_id",
              "t3"."user_id",
              "t3"."account_id",
              "t3"."event",
              "t3"."ts",
              "t3"."properties",
              ROW_NUMBER() OVER (
                PARTITION BY "t3"."event_id"
                ORDER BY "t3"."ts" ASC, "t3"."user_id" ASC, "t3"."account_id" ASC, "t3"."event" ASC, CAST("t3"."properties" AS TEXT) ASC
                ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
              ) - 1 AS "_pql_copy"
            FROM "events" AS "t3"
          ) AS "t20"
          WHERE
            (
              "t20"."_pql_copy" = 0
            ) OR (
              "t20"."event_id" IS NULL
            )
        ) AS "t22"
      ) AS "t23"
      WHERE
        "t23"."ts" <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
        AND "t23"."account_id" IS NOT NULL
    ) AS "t26"
    UNION ALL
    SELECT
      *
    FROM (
      SELECT
        "t13"."member_account" AS "entity_id",
        "t31"."event",
        "t31"."ts"
      FROM (
        SELECT
          "t23"."user_id",
          "t23"."account_id",
          "t23"."event",
          "t23"."ts"
        FROM (
          SELECT
            "t22".*
            EXCLUDE ("_pql_copy")
          FROM (
            SELECT
              *
            FROM (
              SELECT
                "t3"."event_id",
                "t3"."user_id",
                "t3"."account_id",
                "t3"."event",
                "t3"."ts",
                "t3"."properties",
                ROW_NUMBER() OVER (
                  PARTITION BY "t3"."event_id"
                  ORDER BY "t3"."ts" ASC, "t3"."user_id" ASC, "t3"."account_id" ASC, "t3"."event" ASC, CAST("t3"."properties" AS TEXT) ASC
                  ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                ) - 1 AS "_pql_copy"
              FROM "events" AS "t3"
            ) AS "t20"
            WHERE
              (
                "t20"."_pql_copy" = 0
              ) OR (
                "t20"."event_id" IS NULL
              )
          ) AS "t22"
        ) AS "t23"
        WHERE
          "t23"."ts" <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
          AND "t23"."account_id" IS NULL
      ) AS "t31"
      INNER JOIN (
        SELECT
          "t2"."user_id" AS "member_id",
          "t2"."account_id" AS "member_account"
        FROM "users" AS "t2"
        WHERE
          "t2"."account_id" IS NOT NULL
      ) AS "t13"
        ON "t31"."user_id" = "t13"."member_id"
    ) AS "t34"
  ) AS "t37"
  GROUP BY
    1
), "t54" AS (
  SELECT
    "t53"."entity_id",
    COALESCE("t53"."signup_0", "t53"."signup_1", "t46"."first_event_at") AS "signup_at",
    "t21"."converted_at"
  FROM (
    SELECT
      "t51"."entity_id",
      "t51"."signup_0",
      "t51"."signup_1"
    FROM (
      SELECT
        "t50"."entity_id",
        "t50"."signup_0",
        "t19"."id_1",
        "t19"."signup_1"
      FROM (
        SELECT
          "t48"."entity_id",
          "t48"."signup_0"
        FROM (
          SELECT
            "t47"."entity_id",
            "t7"."id_0",
            "t7"."signup_0"
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
              ) AS "t4"
              UNION
              SELECT
                *
              FROM (
                SELECT
                  "t2"."account_id" AS "entity_id"
                FROM "users" AS "t2"
                WHERE
                  "t2"."account_id" IS NOT NULL
              ) AS "t10"
            ) AS "t14"
            UNION
            SELECT
              *
            FROM (
              SELECT
                "t42"."entity_id"
              FROM "t41" AS "t42"
            ) AS "t43"
          ) AS "t47"
          LEFT OUTER JOIN (
            SELECT
              "t0"."account_id" AS "id_0",
              "t0"."created_at" AS "signup_0"
            FROM "accounts" AS "t0"
          ) AS "t7"
            ON "t47"."entity_id" = "t7"."id_0"
        ) AS "t48"
      ) AS "t50"
      LEFT OUTER JOIN (
        SELECT
          "t11"."entity_id" AS "id_1",
          "t11"."value" AS "signup_1"
        FROM (
          SELECT
            "t2"."account_id" AS "entity_id",
            MIN("t2"."signed_up_at") AS "value"
          FROM "users" AS "t2"
          GROUP BY
            1
        ) AS "t11"
      ) AS "t19"
        ON "t50"."entity_id" = "t19"."id_1"
    ) AS "t51"
  ) AS "t53"
  LEFT OUTER JOIN (
    SELECT
      "t42"."entity_id" AS "fe_id",
      "t42"."first_event_at"
    FROM "t41" AS "t42"
  ) AS "t46"
    ON "t53"."entity_id" = "t46"."fe_id"
  LEFT OUTER JOIN (
    SELECT
      "t8"."entity_id" AS "conv_entity_id",
      MIN("t8"."converted_at") AS "converted_at"
    FROM (
      SELECT
        *
      FROM "conversions" AS "t1"
      WHERE
        "t1"."converted_at" <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
    ) AS "t8"
    GROUP BY
      1
  ) AS "t21"
    ON "t53"."entity_id" = "t21"."conv_entity_id"
), "t67" AS (
  SELECT
    "t66"."c_id",
    "t66"."criterion_0_at",
    "t66"."criterion_1_at",
    NULLIF(
      LEAST(
        CASE
          WHEN (
            0.0 + CASE WHEN "t66"."criterion_0_at" <= "t66"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t66"."criterion_1_at" <= "t66"."criterion_0_at" THEN 1.0 ELSE 0.0 END
          ) >= 1.999999999
          THEN "t66"."criterion_0_at"
          ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
        END,
        CASE
          WHEN (
            0.0 + CASE WHEN "t66"."criterion_0_at" <= "t66"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t66"."criterion_1_at" <= "t66"."criterion_1_at" THEN 1.0 ELSE 0.0 END
          ) >= 1.999999999
          THEN "t66"."criterion_1_at"
          ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
        END
      ),
      MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
    ) AS "rule_satisfied_at"
  FROM (
    SELECT
      "t65"."entity_id" AS "c_id",
      LIST_EXTRACT(MIN("t65"."ts", 2) FILTER(WHERE
        "t65"."event" = 'Create'), 2) AS "criterion_0_at",
      MIN("t65"."ts") FILTER(WHERE
        CASE
          WHEN "t65"."event" = 'Invite'
          THEN "t65"."ts" < (
            "t65"."signup_at" + INTERVAL '3' DAY
          )
          ELSE FALSE
        END) AS "criterion_1_at"
    FROM (
      SELECT
        "t64"."entity_id",
        "t64"."event",
        "t64"."ts",
        "t64"."a_signup" AS "signup_at",
        "t64"."a_converted" AS "converted_at"
      FROM (
        SELECT
          "t63".*
          EXCLUDE ("a_entity")
        FROM (
          SELECT
            *
          FROM (
            SELECT
              "t40"."entity_id",
              "t40"."event",
              "t40"."ts",
              "t61"."a_entity",
              "t61"."a_signup",
              "t61"."a_converted"
            FROM (
              SELECT
                *
              FROM (
                SELECT
                  "t23"."account_id" AS "entity_id",
                  "t23"."event",
                  "t23"."ts"
                FROM (
                  SELECT
                    "t22".*
                    EXCLUDE ("_pql_copy")
                  FROM (
                    SELECT
                      *
                    FROM (
                      SELECT
                        "t3"."event_id",
                        "t3"."user_id",
                        "t3"."account_id",
                        "t3"."event",
                        "t3"."ts",
                        "t3"."properties",
                        ROW_NUMBER() OVER (
                          PARTITION BY "t3"."event_id"
                          ORDER BY "t3"."ts" ASC, "t3"."user_id" ASC, "t3"."account_id" ASC, "t3"."event" ASC, CAST("t3"."properties" AS TEXT) ASC
                          ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                        ) - 1 AS "_pql_copy"
                      FROM "events" AS "t3"
                    ) AS "t20"
                    WHERE
                      (
                        "t20"."_pql_copy" = 0
                      ) OR (
                        "t20"."event_id" IS NULL
                      )
                  ) AS "t22"
                ) AS "t23"
                WHERE
                  "t23"."ts" <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
                  AND ARRAY_CONTAINS(['Create', 'Invite'], "t23"."event")
                  AND "t23"."account_id" IS NOT NULL
              ) AS "t28"
              UNION ALL
              SELECT
                *
              FROM (
                SELECT
                  "t13"."member_account" AS "entity_id",
                  "t32"."event",
                  "t32"."ts"
                FROM (
                  SELECT
                    "t23"."user_id",
                    "t23"."account_id",
                    "t23"."event",
                    "t23"."ts"
                  FROM (
                    SELECT
                      "t22".*
                      EXCLUDE ("_pql_copy")
                    FROM (
                      SELECT
                        *
                      FROM (
                        SELECT
                          "t3"."event_id",
                          "t3"."user_id",
                          "t3"."account_id",
                          "t3"."event",
                          "t3"."ts",
                          "t3"."properties",
                          ROW_NUMBER() OVER (
                            PARTITION BY "t3"."event_id"
                            ORDER BY "t3"."ts" ASC, "t3"."user_id" ASC, "t3"."account_id" ASC, "t3"."event" ASC, CAST("t3"."properties" AS TEXT) ASC
                            ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                          ) - 1 AS "_pql_copy"
                        FROM "events" AS "t3"
                      ) AS "t20"
                      WHERE
                        (
                          "t20"."_pql_copy" = 0
                        ) OR (
                          "t20"."event_id" IS NULL
                        )
                    ) AS "t22"
                  ) AS "t23"
                  WHERE
                    "t23"."ts" <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
                    AND ARRAY_CONTAINS(['Create', 'Invite'], "t23"."event")
                    AND "t23"."account_id" IS NULL
                ) AS "t32"
                INNER JOIN (
                  SELECT
                    "t2"."user_id" AS "member_id",
                    "t2"."account_id" AS "member_account"
                  FROM "users" AS "t2"
                  WHERE
                    "t2"."account_id" IS NOT NULL
                ) AS "t13"
                  ON "t32"."user_id" = "t13"."member_id"
              ) AS "t35"
            ) AS "t40"
            INNER JOIN (
              SELECT
                "t59"."a_entity",
                "t59"."a_signup",
                "t59"."a_converted"
              FROM (
                SELECT
                  "t55"."entity_id" AS "a_entity",
                  "t55"."signup_at" AS "a_signup",
                  "t55"."converted_at" AS "a_converted"
                FROM "t54" AS "t55"
                WHERE
                  "t55"."signup_at" <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
              ) AS "t59"
              ANTI JOIN (
                SELECT
                  "t0"."account_id" AS "f_id",
                  "t0"."employees" >= 5 AS "fit_employees"
                FROM "accounts" AS "t0"
                WHERE
                  NOT (
                    COALESCE("t0"."employees" >= 5, TRUE)
                  )
              ) AS "t17"
                ON "t59"."a_entity" = "t17"."f_id"
            ) AS "t61"
              ON "t40"."entity_id" = "t61"."a_entity"
          ) AS "t62"
          WHERE
            "t62"."ts" >= "t62"."a_signup"
        ) AS "t63"
      ) AS "t64"
      WHERE
        (
          "t64"."a_converted" IS NULL
        ) OR (
          "t64"."ts" < "t64"."a_converted"
        )
    ) AS "t65"
    GROUP BY
      1
  ) AS "t66"
), "t90" AS (
  SELECT
    "t89"."entity_id",
    "t89"."signup_at",
    "t89"."converted_at",
    "t89"."criterion_0_at",
    "t89"."criterion_1_at",
    "t89"."rule_satisfied_at",
    "t89"."active_days",
    "t89"."active_days_satisfied_at",
    "t89"."fit_employees",
    "t89"."last_seen_at",
    "t89"."fit",
    "t89"."qualified_at",
    CASE
      WHEN (
        "t89"."qualified_at" IS NOT NULL
      ) AND (
        "t89"."converted_at" IS NOT NULL
      )
      THEN 'converted_pql'
      WHEN (
        "t89"."qualified_at" IS NOT NULL
      ) AND TRUE
      THEN 'pql'
      WHEN "t89"."qualified_at" IS NOT NULL
      THEN 'lapsed'
      WHEN "t89"."converted_at" IS NOT NULL
      THEN 'converted_without_qualifying'
      WHEN NOT (
        "t89"."fit"
      )
      THEN 'failed_fit'
      ELSE 'not_qualified'
    END AS "status"
  FROM (
    SELECT
      "t88"."entity_id",
      "t88"."signup_at",
      "t88"."converted_at",
      "t88"."criterion_0_at",
      "t88"."criterion_1_at",
      "t88"."rule_satisfied_at",
      COALESCE("t88"."active_days", 0) AS "active_days",
      "t88"."active_days_satisfied_at",
      "t88"."fit_employees",
      CAST(NULL AS TIMESTAMP) AS "last_seen_at",
      COALESCE("t88"."fit_employees", TRUE) AS "fit",
      CASE
        WHEN (
          "t88"."converted_at" IS NOT NULL
        )
        AND (
          "t88"."converted_at" <= CASE
            WHEN COALESCE("t88"."fit_employees", TRUE)
            THEN CASE
              WHEN (
                "t88"."rule_satisfied_at" IS NULL
              )
              OR (
                "t88"."active_days_satisfied_at" IS NULL
              )
              THEN CAST(NULL AS TIMESTAMP)
              ELSE GREATEST("t88"."rule_satisfied_at", "t88"."active_days_satisfied_at")
            END
            ELSE CAST(NULL AS TIMESTAMP)
          END
        )
        THEN CAST(NULL AS TIMESTAMP)
        ELSE CASE
          WHEN COALESCE("t88"."fit_employees", TRUE)
          THEN CASE
            WHEN (
              "t88"."rule_satisfied_at" IS NULL
            )
            OR (
              "t88"."active_days_satisfied_at" IS NULL
            )
            THEN CAST(NULL AS TIMESTAMP)
            ELSE GREATEST("t88"."rule_satisfied_at", "t88"."active_days_satisfied_at")
          END
          ELSE CAST(NULL AS TIMESTAMP)
        END
      END AS "qualified_at"
    FROM (
      SELECT
        "t87".*
        EXCLUDE ("f_id")
      FROM (
        SELECT
          "t86"."entity_id",
          "t86"."signup_at",
          "t86"."converted_at",
          "t86"."criterion_0_at",
          "t86"."criterion_1_at",
          "t86"."rule_satisfied_at",
          "t86"."active_days",
          "t86"."active_days_satisfied_at",
          "t12"."f_id",
          "t12"."fit_employees"
        FROM (
          SELECT
            "t84".*
            EXCLUDE ("a_id")
          FROM (
            SELECT
              "t74"."entity_id",
              "t74"."signup_at",
              "t74"."converted_at",
              "t74"."criterion_0_at",
              "t74"."criterion_1_at",
              "t74"."rule_satisfied_at",
              "t83"."a_id",
              "t83"."active_days",
              "t83"."active_days_satisfied_at"
            FROM (
              SELECT
                "t72".*
                EXCLUDE ("c_id")
              FROM (
                SELECT
                  "t58"."entity_id",
                  "t58"."signup_at",
                  "t58"."converted_at",
                  "t69"."c_id",
                  "t69"."criterion_0_at",
                  "t69"."criterion_1_at",
                  "t69"."rule_satisfied_at"
                FROM (
                  SELECT
                    *
                  FROM "t54" AS "t55"
                  WHERE
                    "t55"."signup_at" <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
                ) AS "t58"
                LEFT OUTER JOIN "t67" AS "t69"
                  ON "t58"."entity_id" = "t69"."c_id"
              ) AS "t72"
            ) AS "t74"
            LEFT OUTER JOIN (
              SELECT
                "t81"."entity_id" AS "a_id",
                COUNT("t81"."first_ts") AS "active_days",
                LIST_EXTRACT(MIN("t81"."first_ts", 2) FILTER(WHERE
                  "t81"."first_ts" IS NOT NULL), 2) AS "active_days_satisfied_at"
              FROM (
                SELECT
                  "t80"."entity_id",
                  DATE_TRUNC('DAY', "t80"."ts") AS "day",
                  MIN("t80"."ts") AS "first_ts"
                FROM (
                  SELECT
                    "t79"."entity_id",
                    "t79"."ts",
                    "t79"."a_signup" AS "signup_at",
                    "t79"."a_converted" AS "converted_at"
                  FROM (
                    SELECT
                      "t78".*
                      EXCLUDE ("a_entity")
                    FROM (
                      SELECT
                        *
                      FROM (
                        SELECT
                          "t39"."entity_id",
                          "t39"."ts",
                          "t76"."a_entity",
                          "t76"."a_signup",
                          "t76"."a_converted"
                        FROM (
                          SELECT
                            *
                          FROM (
                            SELECT
                              "t23"."account_id" AS "entity_id",
                              "t23"."ts"
                            FROM (
                              SELECT
                                "t22".*
                                EXCLUDE ("_pql_copy")
                              FROM (
                                SELECT
                                  *
                                FROM (
                                  SELECT
                                    "t3"."event_id",
                                    "t3"."user_id",
                                    "t3"."account_id",
                                    "t3"."event",
                                    "t3"."ts",
                                    "t3"."properties",
                                    ROW_NUMBER() OVER (
                                      PARTITION BY "t3"."event_id"
                                      ORDER BY "t3"."ts" ASC, "t3"."user_id" ASC, "t3"."account_id" ASC, "t3"."event" ASC, CAST("t3"."properties" AS TEXT) ASC
                                      ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                                    ) - 1 AS "_pql_copy"
                                  FROM "events" AS "t3"
                                ) AS "t20"
                                WHERE
                                  (
                                    "t20"."_pql_copy" = 0
                                  ) OR (
                                    "t20"."event_id" IS NULL
                                  )
                              ) AS "t22"
                            ) AS "t23"
                            WHERE
                              "t23"."ts" <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
                              AND "t23"."account_id" IS NOT NULL
                          ) AS "t24"
                          UNION ALL
                          SELECT
                            *
                          FROM (
                            SELECT
                              "t13"."member_account" AS "entity_id",
                              "t30"."ts"
                            FROM (
                              SELECT
                                "t23"."user_id",
                                "t23"."account_id",
                                "t23"."ts"
                              FROM (
                                SELECT
                                  "t22".*
                                  EXCLUDE ("_pql_copy")
                                FROM (
                                  SELECT
                                    *
                                  FROM (
                                    SELECT
                                      "t3"."event_id",
                                      "t3"."user_id",
                                      "t3"."account_id",
                                      "t3"."event",
                                      "t3"."ts",
                                      "t3"."properties",
                                      ROW_NUMBER() OVER (
                                        PARTITION BY "t3"."event_id"
                                        ORDER BY "t3"."ts" ASC, "t3"."user_id" ASC, "t3"."account_id" ASC, "t3"."event" ASC, CAST("t3"."properties" AS TEXT) ASC
                                        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                                      ) - 1 AS "_pql_copy"
                                    FROM "events" AS "t3"
                                  ) AS "t20"
                                  WHERE
                                    (
                                      "t20"."_pql_copy" = 0
                                    ) OR (
                                      "t20"."event_id" IS NULL
                                    )
                                ) AS "t22"
                              ) AS "t23"
                              WHERE
                                "t23"."ts" <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
                                AND "t23"."account_id" IS NULL
                            ) AS "t30"
                            INNER JOIN (
                              SELECT
                                "t2"."user_id" AS "member_id",
                                "t2"."account_id" AS "member_account"
                              FROM "users" AS "t2"
                              WHERE
                                "t2"."account_id" IS NOT NULL
                            ) AS "t13"
                              ON "t30"."user_id" = "t13"."member_id"
                          ) AS "t33"
                        ) AS "t39"
                        INNER JOIN (
                          SELECT
                            "t59"."a_entity",
                            "t59"."a_signup",
                            "t59"."a_converted"
                          FROM (
                            SELECT
                              "t55"."entity_id" AS "a_entity",
                              "t55"."signup_at" AS "a_signup",
                              "t55"."converted_at" AS "a_converted"
                            FROM "t54" AS "t55"
                            WHERE
                              "t55"."signup_at" <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
                          ) AS "t59"
                          ANTI JOIN (
                            SELECT
                              "t0"."account_id" AS "f_id",
                              "t0"."employees" >= 5 AS "fit_employees"
                            FROM "accounts" AS "t0"
                            WHERE
                              NOT (
                                COALESCE("t0"."employees" >= 5, TRUE)
                              )
                          ) AS "t17"
                            ON "t59"."a_entity" = "t17"."f_id"
                          SEMI JOIN (
                            SELECT
                              *
                            FROM "t67" AS "t68"
                            WHERE
                              "t68"."rule_satisfied_at" IS NOT NULL
                          ) AS "t71"
                            ON "t59"."a_entity" = "t71"."c_id"
                        ) AS "t76"
                          ON "t39"."entity_id" = "t76"."a_entity"
                      ) AS "t77"
                      WHERE
                        "t77"."ts" >= "t77"."a_signup"
                    ) AS "t78"
                  ) AS "t79"
                ) AS "t80"
                GROUP BY
                  1,
                  2
              ) AS "t81"
              GROUP BY
                1
            ) AS "t83"
              ON "t74"."entity_id" = "t83"."a_id"
          ) AS "t84"
        ) AS "t86"
        LEFT OUTER JOIN (
          SELECT
            "t0"."account_id" AS "f_id",
            "t0"."employees" >= 5 AS "fit_employees"
          FROM "accounts" AS "t0"
        ) AS "t12"
          ON "t86"."entity_id" = "t12"."f_id"
      ) AS "t87"
    ) AS "t88"
  ) AS "t89"
)
SELECT
  *
FROM (
  SELECT
    *
  FROM (
    SELECT
      CAST(EXTRACT(year FROM "t94"."cohort_start") AS TEXT) || '-' || CASE
        WHEN 2 <= LENGTH(CAST(EXTRACT(month FROM "t94"."cohort_start") AS TEXT))
        THEN CAST(EXTRACT(month FROM "t94"."cohort_start") AS TEXT)
        ELSE REPEAT('0', 2 - LENGTH(CAST(EXTRACT(month FROM "t94"."cohort_start") AS TEXT))) || CAST(EXTRACT(month FROM "t94"."cohort_start") AS TEXT)
      END AS "cohort",
      "t94"."cohort_start",
      "t94"."complete",
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
        "t92"."cohort_start",
        "t92"."complete",
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
          "t91"."entity_id",
          "t91"."signup_at",
          "t91"."converted_at",
          "t91"."criterion_0_at",
          "t91"."criterion_1_at",
          "t91"."rule_satisfied_at",
          "t91"."active_days",
          "t91"."active_days_satisfied_at",
          "t91"."fit_employees",
          "t91"."last_seen_at",
          "t91"."fit",
          "t91"."qualified_at",
          "t91"."status",
          CASE
            WHEN "t91"."qualified_at" IS NOT NULL
            THEN CAST(["t91"."qualified_at"] AS TIMESTAMP[])
            ELSE CAST(NULL AS TIMESTAMP[])
          END AS "episode_starts",
          CASE
            WHEN "t91"."status" = 'converted_pql'
            THEN CAST(["t91"."converted_at"] AS TIMESTAMP(6)[])
            ELSE CAST(NULL AS TIMESTAMP[])
          END AS "episode_ends",
          CASE
            WHEN "t91"."status" = 'pql'
            THEN "t91"."qualified_at"
            ELSE CAST(NULL AS TIMESTAMP)
          END AS "pql_since",
          CAST(NULL AS TIMESTAMP) AS "lapsed_at",
          CAST(NULL AS TIMESTAMP) AS "next_change_at",
          CAST(NULL AS TEXT) AS "segment",
          DATE_TRUNC('MONTH', "t91"."signup_at") AS "cohort_start",
          (
            DATE_TRUNC('MONTH', "t91"."signup_at") + INTERVAL '1' MONTH + INTERVAL '7' DAY
          ) <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0) AS "complete",
          (
            "t91"."qualified_at" IS NOT NULL
          )
          AND (
            "t91"."qualified_at" <= (
              "t91"."signup_at" + INTERVAL '7' DAY
            )
          ) AS "is_pql",
          (
            "t91"."qualified_at" IS NOT NULL
          )
          AND (
            "t91"."qualified_at" <= (
              "t91"."signup_at" + INTERVAL '7' DAY
            )
          )
          AND (
            "t91"."converted_at" > "t91"."qualified_at"
          )
          AND (
            "t91"."converted_at" <= (
              "t91"."qualified_at" + INTERVAL '14' DAY
            )
          ) AS "converted_pql",
          NOT (
            (
              "t91"."qualified_at" IS NOT NULL
            )
            AND (
              "t91"."qualified_at" <= (
                "t91"."signup_at" + INTERVAL '7' DAY
              )
            )
          )
          AND (
            "t91"."converted_at" IS NOT NULL
          )
          AND (
            "t91"."converted_at" <= (
              "t91"."signup_at" + INTERVAL '21' DAY
            )
          ) AS "non_pql_converted",
          CAST(DATE_DIFF('MICROSECOND', "t91"."signup_at", "t91"."qualified_at") AS DOUBLE) / 86400000000 AS "days_to_pql"
        FROM "t90" AS "t91"
      ) AS "t92"
      GROUP BY
        1,
        2
    ) AS "t94"
  ) AS "t97"
  UNION ALL
  SELECT
    *
  FROM (
    SELECT
      CAST(NULL AS TEXT) AS "cohort",
      CAST(NULL AS TIMESTAMP) AS "cohort_start",
      TRUE AS "complete",
      "t95"."signups",
      COALESCE("t95"."pqls", 0) AS "pqls",
      COALESCE("t95"."converted_pqls", 0) AS "converted_pqls",
      "t95"."signups" - COALESCE("t95"."pqls", 0) AS "non_pql_signups",
      COALESCE("t95"."non_pql_converted", 0) AS "non_pql_converted",
      "t95"."p25" AS "time_to_pql_days_p25",
      "t95"."median" AS "time_to_pql_days_median",
      "t95"."p75" AS "time_to_pql_days_p75"
    FROM (
      SELECT
        COUNT(*) AS "signups",
        SUM(CAST("t93"."is_pql" AS INT)) AS "pqls",
        SUM(CAST("t93"."converted_pql" AS INT)) AS "converted_pqls",
        SUM(CAST("t93"."non_pql_converted" AS INT)) AS "non_pql_converted",
        QUANTILE_CONT("t93"."days_to_pql", 0.5) FILTER(WHERE
          "t93"."is_pql") AS "median",
        QUANTILE_CONT("t93"."days_to_pql", 0.25) FILTER(WHERE
          "t93"."is_pql") AS "p25",
        QUANTILE_CONT("t93"."days_to_pql", 0.75) FILTER(WHERE
          "t93"."is_pql") AS "p75"
      FROM (
        SELECT
          "t91"."entity_id",
          "t91"."signup_at",
          "t91"."converted_at",
          "t91"."criterion_0_at",
          "t91"."criterion_1_at",
          "t91"."rule_satisfied_at",
          "t91"."active_days",
          "t91"."active_days_satisfied_at",
          "t91"."fit_employees",
          "t91"."last_seen_at",
          "t91"."fit",
          "t91"."qualified_at",
          "t91"."status",
          CASE
            WHEN "t91"."qualified_at" IS NOT NULL
            THEN CAST(["t91"."qualified_at"] AS TIMESTAMP[])
            ELSE CAST(NULL AS TIMESTAMP[])
          END AS "episode_starts",
          CASE
            WHEN "t91"."status" = 'converted_pql'
            THEN CAST(["t91"."converted_at"] AS TIMESTAMP(6)[])
            ELSE CAST(NULL AS TIMESTAMP[])
          END AS "episode_ends",
          CASE
            WHEN "t91"."status" = 'pql'
            THEN "t91"."qualified_at"
            ELSE CAST(NULL AS TIMESTAMP)
          END AS "pql_since",
          CAST(NULL AS TIMESTAMP) AS "lapsed_at",
          CAST(NULL AS TIMESTAMP) AS "next_change_at",
          CAST(NULL AS TEXT) AS "segment",
          DATE_TRUNC('MONTH', "t91"."signup_at") AS "cohort_start",
          (
            DATE_TRUNC('MONTH', "t91"."signup_at") + INTERVAL '1' MONTH + INTERVAL '7' DAY
          ) <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0) AS "complete",
          (
            "t91"."qualified_at" IS NOT NULL
          )
          AND (
            "t91"."qualified_at" <= (
              "t91"."signup_at" + INTERVAL '7' DAY
            )
          ) AS "is_pql",
          (
            "t91"."qualified_at" IS NOT NULL
          )
          AND (
            "t91"."qualified_at" <= (
              "t91"."signup_at" + INTERVAL '7' DAY
            )
          )
          AND (
            "t91"."converted_at" > "t91"."qualified_at"
          )
          AND (
            "t91"."converted_at" <= (
              "t91"."qualified_at" + INTERVAL '14' DAY
            )
          ) AS "converted_pql",
          NOT (
            (
              "t91"."qualified_at" IS NOT NULL
            )
            AND (
              "t91"."qualified_at" <= (
                "t91"."signup_at" + INTERVAL '7' DAY
              )
            )
          )
          AND (
            "t91"."converted_at" IS NOT NULL
          )
          AND (
            "t91"."converted_at" <= (
              "t91"."signup_at" + INTERVAL '21' DAY
            )
          ) AS "non_pql_converted",
          CAST(DATE_DIFF('MICROSECOND', "t91"."signup_at", "t91"."qualified_at") AS DOUBLE) / 86400000000 AS "days_to_pql"
        FROM "t90" AS "t91"
        WHERE
          (
            DATE_TRUNC('MONTH', "t91"."signup_at") + INTERVAL '1' MONTH + INTERVAL '7' DAY
          ) <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
      ) AS "t93"
    ) AS "t95"
  ) AS "t96"
) AS "t98"
ORDER BY
  "t98"."cohort_start" ASC;

-- pql_count_by_period: PQLs per month of qualified_at, whatever their cohort
WITH "t41" AS (
  SELECT
    "t37"."entity_id",
    MIN("t37"."ts") AS "first_event_at"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t23"."account_id" AS "entity_id",
        "t23"."event",
        "t23"."ts"
      FROM (
        SELECT
          "t22".*
          EXCLUDE ("_pql_copy")
        FROM (
          SELECT
            *
          FROM (
            SELECT
              "t3"."event_id",
              "t3"."user_id",
              "t3"."account_id",
              "t3"."event",
              "t3"."ts",
              "t3"."properties",
              ROW_NUMBER() OVER (
                PARTITION BY "t3"."event_id"
                ORDER BY "t3"."ts" ASC, "t3"."user_id" ASC, "t3"."account_id" ASC, "t3"."event" ASC, CAST("t3"."properties" AS TEXT) ASC
                ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
              ) - 1 AS "_pql_copy"
            FROM "events" AS "t3"
          ) AS "t20"
          WHERE
            (
              "t20"."_pql_copy" = 0
            ) OR (
              "t20"."event_id" IS NULL
            )
        ) AS "t22"
      ) AS "t23"
      WHERE
        "t23"."ts" <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
        AND "t23"."account_id" IS NOT NULL
    ) AS "t26"
    UNION ALL
    SELECT
      *
    FROM (
      SELECT
        "t13"."member_account" AS "entity_id",
        "t31"."event",
        "t31"."ts"
      FROM (
        SELECT
          "t23"."user_id",
          "t23"."account_id",
          "t23"."event",
          "t23"."ts"
        FROM (
          SELECT
            "t22".*
            EXCLUDE ("_pql_copy")
          FROM (
            SELECT
              *
            FROM (
              SELECT
                "t3"."event_id",
                "t3"."user_id",
                "t3"."account_id",
                "t3"."event",
                "t3"."ts",
                "t3"."properties",
                ROW_NUMBER() OVER (
                  PARTITION BY "t3"."event_id"
                  ORDER BY "t3"."ts" ASC, "t3"."user_id" ASC, "t3"."account_id" ASC, "t3"."event" ASC, CAST("t3"."properties" AS TEXT) ASC
                  ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                ) - 1 AS "_pql_copy"
              FROM "events" AS "t3"
            ) AS "t20"
            WHERE
              (
                "t20"."_pql_copy" = 0
              ) OR (
                "t20"."event_id" IS NULL
              )
          ) AS "t22"
        ) AS "t23"
        WHERE
          "t23"."ts" <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
          AND "t23"."account_id" IS NULL
      ) AS "t31"
      INNER JOIN (
        SELECT
          "t2"."user_id" AS "member_id",
          "t2"."account_id" AS "member_account"
        FROM "users" AS "t2"
        WHERE
          "t2"."account_id" IS NOT NULL
      ) AS "t13"
        ON "t31"."user_id" = "t13"."member_id"
    ) AS "t34"
  ) AS "t37"
  GROUP BY
    1
), "t54" AS (
  SELECT
    "t53"."entity_id",
    COALESCE("t53"."signup_0", "t53"."signup_1", "t46"."first_event_at") AS "signup_at",
    "t21"."converted_at"
  FROM (
    SELECT
      "t51"."entity_id",
      "t51"."signup_0",
      "t51"."signup_1"
    FROM (
      SELECT
        "t50"."entity_id",
        "t50"."signup_0",
        "t19"."id_1",
        "t19"."signup_1"
      FROM (
        SELECT
          "t48"."entity_id",
          "t48"."signup_0"
        FROM (
          SELECT
            "t47"."entity_id",
            "t7"."id_0",
            "t7"."signup_0"
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
              ) AS "t4"
              UNION
              SELECT
                *
              FROM (
                SELECT
                  "t2"."account_id" AS "entity_id"
                FROM "users" AS "t2"
                WHERE
                  "t2"."account_id" IS NOT NULL
              ) AS "t10"
            ) AS "t14"
            UNION
            SELECT
              *
            FROM (
              SELECT
                "t42"."entity_id"
              FROM "t41" AS "t42"
            ) AS "t43"
          ) AS "t47"
          LEFT OUTER JOIN (
            SELECT
              "t0"."account_id" AS "id_0",
              "t0"."created_at" AS "signup_0"
            FROM "accounts" AS "t0"
          ) AS "t7"
            ON "t47"."entity_id" = "t7"."id_0"
        ) AS "t48"
      ) AS "t50"
      LEFT OUTER JOIN (
        SELECT
          "t11"."entity_id" AS "id_1",
          "t11"."value" AS "signup_1"
        FROM (
          SELECT
            "t2"."account_id" AS "entity_id",
            MIN("t2"."signed_up_at") AS "value"
          FROM "users" AS "t2"
          GROUP BY
            1
        ) AS "t11"
      ) AS "t19"
        ON "t50"."entity_id" = "t19"."id_1"
    ) AS "t51"
  ) AS "t53"
  LEFT OUTER JOIN (
    SELECT
      "t42"."entity_id" AS "fe_id",
      "t42"."first_event_at"
    FROM "t41" AS "t42"
  ) AS "t46"
    ON "t53"."entity_id" = "t46"."fe_id"
  LEFT OUTER JOIN (
    SELECT
      "t8"."entity_id" AS "conv_entity_id",
      MIN("t8"."converted_at") AS "converted_at"
    FROM (
      SELECT
        *
      FROM "conversions" AS "t1"
      WHERE
        "t1"."converted_at" <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
    ) AS "t8"
    GROUP BY
      1
  ) AS "t21"
    ON "t53"."entity_id" = "t21"."conv_entity_id"
), "t67" AS (
  SELECT
    "t66"."c_id",
    "t66"."criterion_0_at",
    "t66"."criterion_1_at",
    NULLIF(
      LEAST(
        CASE
          WHEN (
            0.0 + CASE WHEN "t66"."criterion_0_at" <= "t66"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t66"."criterion_1_at" <= "t66"."criterion_0_at" THEN 1.0 ELSE 0.0 END
          ) >= 1.999999999
          THEN "t66"."criterion_0_at"
          ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
        END,
        CASE
          WHEN (
            0.0 + CASE WHEN "t66"."criterion_0_at" <= "t66"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t66"."criterion_1_at" <= "t66"."criterion_1_at" THEN 1.0 ELSE 0.0 END
          ) >= 1.999999999
          THEN "t66"."criterion_1_at"
          ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
        END
      ),
      MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
    ) AS "rule_satisfied_at"
  FROM (
    SELECT
      "t65"."entity_id" AS "c_id",
      LIST_EXTRACT(MIN("t65"."ts", 2) FILTER(WHERE
        "t65"."event" = 'Create'), 2) AS "criterion_0_at",
      MIN("t65"."ts") FILTER(WHERE
        CASE
          WHEN "t65"."event" = 'Invite'
          THEN "t65"."ts" < (
            "t65"."signup_at" + INTERVAL '3' DAY
          )
          ELSE FALSE
        END) AS "criterion_1_at"
    FROM (
      SELECT
        "t64"."entity_id",
        "t64"."event",
        "t64"."ts",
        "t64"."a_signup" AS "signup_at",
        "t64"."a_converted" AS "converted_at"
      FROM (
        SELECT
          "t63".*
          EXCLUDE ("a_entity")
        FROM (
          SELECT
            *
          FROM (
            SELECT
              "t40"."entity_id",
              "t40"."event",
              "t40"."ts",
              "t61"."a_entity",
              "t61"."a_signup",
              "t61"."a_converted"
            FROM (
              SELECT
                *
              FROM (
                SELECT
                  "t23"."account_id" AS "entity_id",
                  "t23"."event",
                  "t23"."ts"
                FROM (
                  SELECT
                    "t22".*
                    EXCLUDE ("_pql_copy")
                  FROM (
                    SELECT
                      *
                    FROM (
                      SELECT
                        "t3"."event_id",
                        "t3"."user_id",
                        "t3"."account_id",
                        "t3"."event",
                        "t3"."ts",
                        "t3"."properties",
                        ROW_NUMBER() OVER (
                          PARTITION BY "t3"."event_id"
                          ORDER BY "t3"."ts" ASC, "t3"."user_id" ASC, "t3"."account_id" ASC, "t3"."event" ASC, CAST("t3"."properties" AS TEXT) ASC
                          ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                        ) - 1 AS "_pql_copy"
                      FROM "events" AS "t3"
                    ) AS "t20"
                    WHERE
                      (
                        "t20"."_pql_copy" = 0
                      ) OR (
                        "t20"."event_id" IS NULL
                      )
                  ) AS "t22"
                ) AS "t23"
                WHERE
                  "t23"."ts" <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
                  AND ARRAY_CONTAINS(['Create', 'Invite'], "t23"."event")
                  AND "t23"."account_id" IS NOT NULL
              ) AS "t28"
              UNION ALL
              SELECT
                *
              FROM (
                SELECT
                  "t13"."member_account" AS "entity_id",
                  "t32"."event",
                  "t32"."ts"
                FROM (
                  SELECT
                    "t23"."user_id",
                    "t23"."account_id",
                    "t23"."event",
                    "t23"."ts"
                  FROM (
                    SELECT
                      "t22".*
                      EXCLUDE ("_pql_copy")
                    FROM (
                      SELECT
                        *
                      FROM (
                        SELECT
                          "t3"."event_id",
                          "t3"."user_id",
                          "t3"."account_id",
                          "t3"."event",
                          "t3"."ts",
                          "t3"."properties",
                          ROW_NUMBER() OVER (
                            PARTITION BY "t3"."event_id"
                            ORDER BY "t3"."ts" ASC, "t3"."user_id" ASC, "t3"."account_id" ASC, "t3"."event" ASC, CAST("t3"."properties" AS TEXT) ASC
                            ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                          ) - 1 AS "_pql_copy"
                        FROM "events" AS "t3"
                      ) AS "t20"
                      WHERE
                        (
                          "t20"."_pql_copy" = 0
                        ) OR (
                          "t20"."event_id" IS NULL
                        )
                    ) AS "t22"
                  ) AS "t23"
                  WHERE
                    "t23"."ts" <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
                    AND ARRAY_CONTAINS(['Create', 'Invite'], "t23"."event")
                    AND "t23"."account_id" IS NULL
                ) AS "t32"
                INNER JOIN (
                  SELECT
                    "t2"."user_id" AS "member_id",
                    "t2"."account_id" AS "member_account"
                  FROM "users" AS "t2"
                  WHERE
                    "t2"."account_id" IS NOT NULL
                ) AS "t13"
                  ON "t32"."user_id" = "t13"."member_id"
              ) AS "t35"
            ) AS "t40"
            INNER JOIN (
              SELECT
                "t59"."a_entity",
                "t59"."a_signup",
                "t59"."a_converted"
              FROM (
                SELECT
                  "t55"."entity_id" AS "a_entity",
                  "t55"."signup_at" AS "a_signup",
                  "t55"."converted_at" AS "a_converted"
                FROM "t54" AS "t55"
                WHERE
                  "t55"."signup_at" <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
              ) AS "t59"
              ANTI JOIN (
                SELECT
                  "t0"."account_id" AS "f_id",
                  "t0"."employees" >= 5 AS "fit_employees"
                FROM "accounts" AS "t0"
                WHERE
                  NOT (
                    COALESCE("t0"."employees" >= 5, TRUE)
                  )
              ) AS "t17"
                ON "t59"."a_entity" = "t17"."f_id"
            ) AS "t61"
              ON "t40"."entity_id" = "t61"."a_entity"
          ) AS "t62"
          WHERE
            "t62"."ts" >= "t62"."a_signup"
        ) AS "t63"
      ) AS "t64"
      WHERE
        (
          "t64"."a_converted" IS NULL
        ) OR (
          "t64"."ts" < "t64"."a_converted"
        )
    ) AS "t65"
    GROUP BY
      1
  ) AS "t66"
), "t91" AS (
  SELECT
    "t90"."entity_id",
    "t90"."signup_at",
    "t90"."converted_at",
    "t90"."criterion_0_at",
    "t90"."criterion_1_at",
    "t90"."rule_satisfied_at",
    "t90"."active_days",
    "t90"."active_days_satisfied_at",
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
      DATE_TRUNC('MONTH', "t90"."signup_at") + INTERVAL '1' MONTH + INTERVAL '7' DAY
    ) <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0) AS "complete",
    (
      "t90"."qualified_at" IS NOT NULL
    )
    AND (
      "t90"."qualified_at" <= (
        "t90"."signup_at" + INTERVAL '7' DAY
      )
    ) AS "is_pql",
    (
      "t90"."qualified_at" IS NOT NULL
    )
    AND (
      "t90"."qualified_at" <= (
        "t90"."signup_at" + INTERVAL '7' DAY
      )
    )
    AND (
      "t90"."converted_at" > "t90"."qualified_at"
    )
    AND (
      "t90"."converted_at" <= (
        "t90"."qualified_at" + INTERVAL '14' DAY
      )
    ) AS "converted_pql",
    NOT (
      (
        "t90"."qualified_at" IS NOT NULL
      )
      AND (
        "t90"."qualified_at" <= (
          "t90"."signup_at" + INTERVAL '7' DAY
        )
      )
    )
    AND (
      "t90"."converted_at" IS NOT NULL
    )
    AND (
      "t90"."converted_at" <= (
        "t90"."signup_at" + INTERVAL '21' DAY
      )
    ) AS "non_pql_converted",
    CAST(DATE_DIFF('MICROSECOND', "t90"."signup_at", "t90"."qualified_at") AS DOUBLE) / 86400000000 AS "days_to_pql"
  FROM (
    SELECT
      "t89"."entity_id",
      "t89"."signup_at",
      "t89"."converted_at",
      "t89"."criterion_0_at",
      "t89"."criterion_1_at",
      "t89"."rule_satisfied_at",
      "t89"."active_days",
      "t89"."active_days_satisfied_at",
      "t89"."fit_employees",
      "t89"."last_seen_at",
      "t89"."fit",
      "t89"."qualified_at",
      CASE
        WHEN (
          "t89"."qualified_at" IS NOT NULL
        ) AND (
          "t89"."converted_at" IS NOT NULL
        )
        THEN 'converted_pql'
        WHEN (
          "t89"."qualified_at" IS NOT NULL
        ) AND TRUE
        THEN 'pql'
        WHEN "t89"."qualified_at" IS NOT NULL
        THEN 'lapsed'
        WHEN "t89"."converted_at" IS NOT NULL
        THEN 'converted_without_qualifying'
        WHEN NOT (
          "t89"."fit"
        )
        THEN 'failed_fit'
        ELSE 'not_qualified'
      END AS "status"
    FROM (
      SELECT
        "t88"."entity_id",
        "t88"."signup_at",
        "t88"."converted_at",
        "t88"."criterion_0_at",
        "t88"."criterion_1_at",
        "t88"."rule_satisfied_at",
        COALESCE("t88"."active_days", 0) AS "active_days",
        "t88"."active_days_satisfied_at",
        "t88"."fit_employees",
        CAST(NULL AS TIMESTAMP) AS "last_seen_at",
        COALESCE("t88"."fit_employees", TRUE) AS "fit",
        CASE
          WHEN (
            "t88"."converted_at" IS NOT NULL
          )
          AND (
            "t88"."converted_at" <= CASE
              WHEN COALESCE("t88"."fit_employees", TRUE)
              THEN CASE
                WHEN (
                  "t88"."rule_satisfied_at" IS NULL
                )
                OR (
                  "t88"."active_days_satisfied_at" IS NULL
                )
                THEN CAST(NULL AS TIMESTAMP)
                ELSE GREATEST("t88"."rule_satisfied_at", "t88"."active_days_satisfied_at")
              END
              ELSE CAST(NULL AS TIMESTAMP)
            END
          )
          THEN CAST(NULL AS TIMESTAMP)
          ELSE CASE
            WHEN COALESCE("t88"."fit_employees", TRUE)
            THEN CASE
              WHEN (
                "t88"."rule_satisfied_at" IS NULL
              )
              OR (
                "t88"."active_days_satisfied_at" IS NULL
              )
              THEN CAST(NULL AS TIMESTAMP)
              ELSE GREATEST("t88"."rule_satisfied_at", "t88"."active_days_satisfied_at")
            END
            ELSE CAST(NULL AS TIMESTAMP)
          END
        END AS "qualified_at"
      FROM (
        SELECT
          "t87".*
          EXCLUDE ("f_id")
        FROM (
          SELECT
            "t86"."entity_id",
            "t86"."signup_at",
            "t86"."converted_at",
            "t86"."criterion_0_at",
            "t86"."criterion_1_at",
            "t86"."rule_satisfied_at",
            "t86"."active_days",
            "t86"."active_days_satisfied_at",
            "t12"."f_id",
            "t12"."fit_employees"
          FROM (
            SELECT
              "t84".*
              EXCLUDE ("a_id")
            FROM (
              SELECT
                "t74"."entity_id",
                "t74"."signup_at",
                "t74"."converted_at",
                "t74"."criterion_0_at",
                "t74"."criterion_1_at",
                "t74"."rule_satisfied_at",
                "t83"."a_id",
                "t83"."active_days",
                "t83"."active_days_satisfied_at"
              FROM (
                SELECT
                  "t72".*
                  EXCLUDE ("c_id")
                FROM (
                  SELECT
                    "t58"."entity_id",
                    "t58"."signup_at",
                    "t58"."converted_at",
                    "t69"."c_id",
                    "t69"."criterion_0_at",
                    "t69"."criterion_1_at",
                    "t69"."rule_satisfied_at"
                  FROM (
                    SELECT
                      *
                    FROM "t54" AS "t55"
                    WHERE
                      "t55"."signup_at" <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
                  ) AS "t58"
                  LEFT OUTER JOIN "t67" AS "t69"
                    ON "t58"."entity_id" = "t69"."c_id"
                ) AS "t72"
              ) AS "t74"
              LEFT OUTER JOIN (
                SELECT
                  "t81"."entity_id" AS "a_id",
                  COUNT("t81"."first_ts") AS "active_days",
                  LIST_EXTRACT(MIN("t81"."first_ts", 2) FILTER(WHERE
                    "t81"."first_ts" IS NOT NULL), 2) AS "active_days_satisfied_at"
                FROM (
                  SELECT
                    "t80"."entity_id",
                    DATE_TRUNC('DAY', "t80"."ts") AS "day",
                    MIN("t80"."ts") AS "first_ts"
                  FROM (
                    SELECT
                      "t79"."entity_id",
                      "t79"."ts",
                      "t79"."a_signup" AS "signup_at",
                      "t79"."a_converted" AS "converted_at"
                    FROM (
                      SELECT
                        "t78".*
                        EXCLUDE ("a_entity")
                      FROM (
                        SELECT
                          *
                        FROM (
                          SELECT
                            "t39"."entity_id",
                            "t39"."ts",
                            "t76"."a_entity",
                            "t76"."a_signup",
                            "t76"."a_converted"
                          FROM (
                            SELECT
                              *
                            FROM (
                              SELECT
                                "t23"."account_id" AS "entity_id",
                                "t23"."ts"
                              FROM (
                                SELECT
                                  "t22".*
                                  EXCLUDE ("_pql_copy")
                                FROM (
                                  SELECT
                                    *
                                  FROM (
                                    SELECT
                                      "t3"."event_id",
                                      "t3"."user_id",
                                      "t3"."account_id",
                                      "t3"."event",
                                      "t3"."ts",
                                      "t3"."properties",
                                      ROW_NUMBER() OVER (
                                        PARTITION BY "t3"."event_id"
                                        ORDER BY "t3"."ts" ASC, "t3"."user_id" ASC, "t3"."account_id" ASC, "t3"."event" ASC, CAST("t3"."properties" AS TEXT) ASC
                                        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                                      ) - 1 AS "_pql_copy"
                                    FROM "events" AS "t3"
                                  ) AS "t20"
                                  WHERE
                                    (
                                      "t20"."_pql_copy" = 0
                                    ) OR (
                                      "t20"."event_id" IS NULL
                                    )
                                ) AS "t22"
                              ) AS "t23"
                              WHERE
                                "t23"."ts" <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
                                AND "t23"."account_id" IS NOT NULL
                            ) AS "t24"
                            UNION ALL
                            SELECT
                              *
                            FROM (
                              SELECT
                                "t13"."member_account" AS "entity_id",
                                "t30"."ts"
                              FROM (
                                SELECT
                                  "t23"."user_id",
                                  "t23"."account_id",
                                  "t23"."ts"
                                FROM (
                                  SELECT
                                    "t22".*
                                    EXCLUDE ("_pql_copy")
                                  FROM (
                                    SELECT
                                      *
                                    FROM (
                                      SELECT
                                        "t3"."event_id",
                                        "t3"."user_id",
                                        "t3"."account_id",
                                        "t3"."event",
                                        "t3"."ts",
                                        "t3"."properties",
                                        ROW_NUMBER() OVER (
                                          PARTITION BY "t3"."event_id"
                                          ORDER BY "t3"."ts" ASC, "t3"."user_id" ASC, "t3"."account_id" ASC, "t3"."event" ASC, CAST("t3"."properties" AS TEXT) ASC
                                          ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                                        ) - 1 AS "_pql_copy"
                                      FROM "events" AS "t3"
                                    ) AS "t20"
                                    WHERE
                                      (
                                        "t20"."_pql_copy" = 0
                                      ) OR (
                                        "t20"."event_id" IS NULL
                                      )
                                  ) AS "t22"
                                ) AS "t23"
                                WHERE
                                  "t23"."ts" <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
                                  AND "t23"."account_id" IS NULL
                              ) AS "t30"
                              INNER JOIN (
                                SELECT
                                  "t2"."user_id" AS "member_id",
                                  "t2"."account_id" AS "member_account"
                                FROM "users" AS "t2"
                                WHERE
                                  "t2"."account_id" IS NOT NULL
                              ) AS "t13"
                                ON "t30"."user_id" = "t13"."member_id"
                            ) AS "t33"
                          ) AS "t39"
                          INNER JOIN (
                            SELECT
                              "t59"."a_entity",
                              "t59"."a_signup",
                              "t59"."a_converted"
                            FROM (
                              SELECT
                                "t55"."entity_id" AS "a_entity",
                                "t55"."signup_at" AS "a_signup",
                                "t55"."converted_at" AS "a_converted"
                              FROM "t54" AS "t55"
                              WHERE
                                "t55"."signup_at" <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
                            ) AS "t59"
                            ANTI JOIN (
                              SELECT
                                "t0"."account_id" AS "f_id",
                                "t0"."employees" >= 5 AS "fit_employees"
                              FROM "accounts" AS "t0"
                              WHERE
                                NOT (
                                  COALESCE("t0"."employees" >= 5, TRUE)
                                )
                            ) AS "t17"
                              ON "t59"."a_entity" = "t17"."f_id"
                            SEMI JOIN (
                              SELECT
                                *
                              FROM "t67" AS "t68"
                              WHERE
                                "t68"."rule_satisfied_at" IS NOT NULL
                            ) AS "t71"
                              ON "t59"."a_entity" = "t71"."c_id"
                          ) AS "t76"
                            ON "t39"."entity_id" = "t76"."a_entity"
                        ) AS "t77"
                        WHERE
                          "t77"."ts" >= "t77"."a_signup"
                      ) AS "t78"
                    ) AS "t79"
                  ) AS "t80"
                  GROUP BY
                    1,
                    2
                ) AS "t81"
                GROUP BY
                  1
              ) AS "t83"
                ON "t74"."entity_id" = "t83"."a_id"
            ) AS "t84"
          ) AS "t86"
          LEFT OUTER JOIN (
            SELECT
              "t0"."account_id" AS "f_id",
              "t0"."employees" >= 5 AS "fit_employees"
            FROM "accounts" AS "t0"
          ) AS "t12"
            ON "t86"."entity_id" = "t12"."f_id"
        ) AS "t87"
      ) AS "t88"
    ) AS "t89"
  ) AS "t90"
)
SELECT
  CAST(EXTRACT(year FROM "t99"."start") AS TEXT) || '-' || CASE
    WHEN 2 <= LENGTH(CAST(EXTRACT(month FROM "t99"."start") AS TEXT))
    THEN CAST(EXTRACT(month FROM "t99"."start") AS TEXT)
    ELSE REPEAT('0', 2 - LENGTH(CAST(EXTRACT(month FROM "t99"."start") AS TEXT))) || CAST(EXTRACT(month FROM "t99"."start") AS TEXT)
  END AS "period",
  "t99"."start" AS "period_start",
  "t99"."pqls",
  "t99"."new",
  "t99"."requalified",
  "t99"."lapsed",
  "t99"."ended_by_conversion",
  "t99"."open_at_end"
FROM (
  SELECT
    "t98"."start",
    "t98"."segment",
    "t98"."new",
    "t98"."requalified",
    "t98"."lapsed",
    "t98"."ended_by_conversion",
    "t98"."new" AS "pqls",
    SUM(
      (
        (
          "t98"."new" + "t98"."requalified"
        ) - "t98"."lapsed"
      ) - "t98"."ended_by_conversion"
    ) OVER (
      PARTITION BY "t98"."segment"
      ORDER BY "t98"."start" ASC
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS "open_at_end"
  FROM (
    SELECT
      "t97"."start",
      "t97"."segment",
      SUM("t97"."new") AS "new",
      SUM("t97"."requalified") AS "requalified",
      SUM("t97"."lapsed") AS "lapsed",
      SUM("t97"."ended_by_conversion") AS "ended_by_conversion"
    FROM (
      SELECT
        *
      FROM (
        SELECT
          DATE_TRUNC('MONTH', "t93"."start") AS "start",
          "t93"."segment",
          CASE WHEN "t93"."start" = "t93"."qualified_at" THEN 1 ELSE 0 END AS "new",
          CASE WHEN "t93"."start" = "t93"."qualified_at" THEN 0 ELSE 1 END AS "requalified",
          0 AS "lapsed",
          0 AS "ended_by_conversion"
        FROM (
          SELECT
            "t92"."segment",
            "t92"."qualified_at",
            UNNEST("t92"."episode_starts") AS "start"
          FROM "t91" AS "t92"
        ) AS "t93"
      ) AS "t95"
      UNION ALL
      SELECT
        *
      FROM (
        SELECT
          DATE_TRUNC('MONTH', "t94"."end") AS "start",
          "t94"."segment",
          0 AS "new",
          0 AS "requalified",
          CASE WHEN COALESCE("t94"."end" = "t94"."converted_at", FALSE) THEN 0 ELSE 1 END AS "lapsed",
          CASE WHEN COALESCE("t94"."end" = "t94"."converted_at", FALSE) THEN 1 ELSE 0 END AS "ended_by_conversion"
        FROM (
          SELECT
            "t92"."segment",
            "t92"."converted_at",
            UNNEST("t92"."episode_ends") AS "end"
          FROM "t91" AS "t92"
        ) AS "t94"
      ) AS "t96"
    ) AS "t97"
    GROUP BY
      1,
      2
  ) AS "t98"
) AS "t99"
ORDER BY
  "t99"."start" ASC,
  "t99"."segment" ASC NULLS FIRST;
