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
WITH "t39" AS (
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
          ) AS "t18"
          WHERE
            (
              "t18"."_pql_copy" = 0
            ) OR (
              "t18"."event_id" IS NULL
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
            ) AS "t18"
            WHERE
              (
                "t18"."_pql_copy" = 0
              ) OR (
                "t18"."event_id" IS NULL
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
), "t52" AS (
  SELECT
    "t51"."entity_id",
    COALESCE("t51"."signup_0", "t51"."signup_1", "t44"."first_event_at") AS "signup_at",
    "t19"."converted_at"
  FROM (
    SELECT
      "t49"."entity_id",
      "t49"."signup_0",
      "t49"."signup_1"
    FROM (
      SELECT
        "t48"."entity_id",
        "t48"."signup_0",
        "t17"."id_1",
        "t17"."signup_1"
      FROM (
        SELECT
          "t46"."entity_id",
          "t46"."signup_0"
        FROM (
          SELECT
            "t45"."entity_id",
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
                "t40"."entity_id"
              FROM "t39" AS "t40"
            ) AS "t41"
          ) AS "t45"
          LEFT OUTER JOIN (
            SELECT
              "t0"."account_id" AS "id_0",
              "t0"."created_at" AS "signup_0"
            FROM "accounts" AS "t0"
          ) AS "t7"
            ON "t45"."entity_id" = "t7"."id_0"
        ) AS "t46"
      ) AS "t48"
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
      ) AS "t17"
        ON "t48"."entity_id" = "t17"."id_1"
    ) AS "t49"
  ) AS "t51"
  LEFT OUTER JOIN (
    SELECT
      "t40"."entity_id" AS "fe_id",
      "t40"."first_event_at"
    FROM "t39" AS "t40"
  ) AS "t44"
    ON "t51"."entity_id" = "t44"."fe_id"
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
  ) AS "t19"
    ON "t51"."entity_id" = "t19"."conv_entity_id"
)
SELECT
  "t80"."entity_id",
  "t80"."signup_at",
  "t80"."converted_at",
  "t80"."criterion_0_at",
  "t80"."criterion_1_at",
  "t80"."rule_satisfied_at",
  "t80"."active_days",
  "t80"."active_days_satisfied_at",
  "t80"."fit_employees",
  "t80"."fit",
  "t80"."qualified_at",
  CASE
    WHEN (
      "t80"."qualified_at" IS NOT NULL
    ) AND (
      "t80"."converted_at" IS NOT NULL
    )
    THEN 'converted_pql'
    WHEN "t80"."qualified_at" IS NOT NULL
    THEN 'pql'
    WHEN "t80"."converted_at" IS NOT NULL
    THEN 'converted_without_qualifying'
    WHEN NOT (
      "t80"."fit"
    )
    THEN 'failed_fit'
    ELSE 'not_qualified'
  END AS "status",
  '87df380f9143' AS "definition_version",
  MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0) AS "as_of"
FROM (
  SELECT
    "t79"."entity_id",
    "t79"."signup_at",
    "t79"."converted_at",
    "t79"."criterion_0_at",
    "t79"."criterion_1_at",
    "t79"."rule_satisfied_at",
    COALESCE("t79"."active_days", 0) AS "active_days",
    "t79"."active_days_satisfied_at",
    "t79"."fit_employees",
    COALESCE("t79"."fit_employees", TRUE) AS "fit",
    CASE
      WHEN (
        "t79"."converted_at" IS NOT NULL
      )
      AND (
        "t79"."converted_at" <= CASE
          WHEN COALESCE("t79"."fit_employees", TRUE)
          THEN CASE
            WHEN (
              "t79"."rule_satisfied_at" IS NULL
            )
            OR (
              "t79"."active_days_satisfied_at" IS NULL
            )
            THEN CAST(NULL AS TIMESTAMP)
            ELSE GREATEST("t79"."rule_satisfied_at", "t79"."active_days_satisfied_at")
          END
          ELSE CAST(NULL AS TIMESTAMP)
        END
      )
      THEN CAST(NULL AS TIMESTAMP)
      ELSE CASE
        WHEN COALESCE("t79"."fit_employees", TRUE)
        THEN CASE
          WHEN (
            "t79"."rule_satisfied_at" IS NULL
          )
          OR (
            "t79"."active_days_satisfied_at" IS NULL
          )
          THEN CAST(NULL AS TIMESTAMP)
          ELSE GREATEST("t79"."rule_satisfied_at", "t79"."active_days_satisfied_at")
        END
        ELSE CAST(NULL AS TIMESTAMP)
      END
    END AS "qualified_at"
  FROM (
    SELECT
      "t78".*
      EXCLUDE ("f_id")
    FROM (
      SELECT
        "t77"."entity_id",
        "t77"."signup_at",
        "t77"."converted_at",
        "t77"."criterion_0_at",
        "t77"."criterion_1_at",
        "t77"."rule_satisfied_at",
        "t77"."active_days",
        "t77"."active_days_satisfied_at",
        "t12"."f_id",
        "t12"."fit_employees"
      FROM (
        SELECT
          "t75".*
          EXCLUDE ("a_id")
        FROM (
          SELECT
            "t74"."entity_id",
            "t74"."signup_at",
            "t74"."converted_at",
            "t74"."criterion_0_at",
            "t74"."criterion_1_at",
            "t74"."rule_satisfied_at",
            "t69"."a_id",
            "t69"."active_days",
            "t69"."active_days_satisfied_at"
          FROM (
            SELECT
              "t72".*
              EXCLUDE ("c_id")
            FROM (
              SELECT
                "t56"."entity_id",
                "t56"."signup_at",
                "t56"."converted_at",
                "t71"."c_id",
                "t71"."criterion_0_at",
                "t71"."criterion_1_at",
                "t71"."rule_satisfied_at"
              FROM (
                SELECT
                  *
                FROM "t52" AS "t53"
                WHERE
                  "t53"."signup_at" <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
              ) AS "t56"
              LEFT OUTER JOIN (
                SELECT
                  "t68"."c_id",
                  "t68"."criterion_0_at",
                  "t68"."criterion_1_at",
                  NULLIF(
                    LEAST(
                      CASE
                        WHEN (
                          0.0 + CASE WHEN "t68"."criterion_0_at" <= "t68"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t68"."criterion_1_at" <= "t68"."criterion_0_at" THEN 1.0 ELSE 0.0 END
                        ) >= 1.999999999
                        THEN "t68"."criterion_0_at"
                        ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
                      END,
                      CASE
                        WHEN (
                          0.0 + CASE WHEN "t68"."criterion_0_at" <= "t68"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t68"."criterion_1_at" <= "t68"."criterion_1_at" THEN 1.0 ELSE 0.0 END
                        ) >= 1.999999999
                        THEN "t68"."criterion_1_at"
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
                      "t63"."entity_id",
                      "t63"."event",
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
                            "t38"."entity_id",
                            "t38"."event",
                            "t38"."ts",
                            "t57"."a_entity",
                            "t57"."a_signup",
                            "t57"."a_converted"
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
                                  ) AS "t18"
                                  WHERE
                                    (
                                      "t18"."_pql_copy" = 0
                                    ) OR (
                                      "t18"."event_id" IS NULL
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
                                    ) AS "t18"
                                    WHERE
                                      (
                                        "t18"."_pql_copy" = 0
                                      ) OR (
                                        "t18"."event_id" IS NULL
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
                              "t53"."entity_id" AS "a_entity",
                              "t53"."signup_at" AS "a_signup",
                              "t53"."converted_at" AS "a_converted"
                            FROM "t52" AS "t53"
                            WHERE
                              "t53"."signup_at" <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
                          ) AS "t57"
                            ON "t38"."entity_id" = "t57"."a_entity"
                        ) AS "t59"
                        WHERE
                          "t59"."ts" >= "t59"."a_signup"
                      ) AS "t61"
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
                ) AS "t68"
              ) AS "t71"
                ON "t56"."entity_id" = "t71"."c_id"
            ) AS "t72"
          ) AS "t74"
          LEFT OUTER JOIN (
            SELECT
              "t66"."entity_id" AS "a_id",
              COUNT("t66"."first_ts") AS "active_days",
              LIST_EXTRACT(MIN("t66"."first_ts", 2) FILTER(WHERE
                "t66"."first_ts" IS NOT NULL), 2) AS "active_days_satisfied_at"
            FROM (
              SELECT
                "t64"."entity_id",
                DATE_TRUNC('DAY', "t64"."ts") AS "day",
                MIN("t64"."ts") AS "first_ts"
              FROM (
                SELECT
                  "t62"."entity_id",
                  "t62"."ts",
                  "t62"."a_signup" AS "signup_at",
                  "t62"."a_converted" AS "converted_at"
                FROM (
                  SELECT
                    "t60".*
                    EXCLUDE ("a_entity")
                  FROM (
                    SELECT
                      *
                    FROM (
                      SELECT
                        "t37"."entity_id",
                        "t37"."ts",
                        "t57"."a_entity",
                        "t57"."a_signup",
                        "t57"."a_converted"
                      FROM (
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
                              ) AS "t18"
                              WHERE
                                (
                                  "t18"."_pql_copy" = 0
                                ) OR (
                                  "t18"."event_id" IS NULL
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
                                ) AS "t18"
                                WHERE
                                  (
                                    "t18"."_pql_copy" = 0
                                  ) OR (
                                    "t18"."event_id" IS NULL
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
                      ) AS "t37"
                      INNER JOIN (
                        SELECT
                          "t53"."entity_id" AS "a_entity",
                          "t53"."signup_at" AS "a_signup",
                          "t53"."converted_at" AS "a_converted"
                        FROM "t52" AS "t53"
                        WHERE
                          "t53"."signup_at" <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
                      ) AS "t57"
                        ON "t37"."entity_id" = "t57"."a_entity"
                    ) AS "t58"
                    WHERE
                      "t58"."ts" >= "t58"."a_signup"
                  ) AS "t60"
                ) AS "t62"
              ) AS "t64"
              GROUP BY
                1,
                2
            ) AS "t66"
            GROUP BY
              1
          ) AS "t69"
            ON "t74"."entity_id" = "t69"."a_id"
        ) AS "t75"
      ) AS "t77"
      LEFT OUTER JOIN (
        SELECT
          "t0"."account_id" AS "f_id",
          "t0"."employees" >= 5 AS "fit_employees"
        FROM "accounts" AS "t0"
      ) AS "t12"
        ON "t77"."entity_id" = "t12"."f_id"
    ) AS "t78"
  ) AS "t79"
) AS "t80"
ORDER BY
  "t80"."entity_id" ASC;

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
), "t89" AS (
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
          "t90"."rule_satisfied_at",
          "t90"."active_days",
          "t90"."active_days_satisfied_at",
          "t90"."fit_employees",
          "t90"."fit",
          "t90"."qualified_at",
          CASE
            WHEN (
              "t90"."qualified_at" IS NOT NULL
            ) AND (
              "t90"."converted_at" IS NOT NULL
            )
            THEN 'converted_pql'
            WHEN "t90"."qualified_at" IS NOT NULL
            THEN 'pql'
            WHEN "t90"."converted_at" IS NOT NULL
            THEN 'converted_without_qualifying'
            WHEN NOT (
              "t90"."fit"
            )
            THEN 'failed_fit'
            ELSE 'not_qualified'
          END AS "status",
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
          "t90"."rule_satisfied_at",
          "t90"."active_days",
          "t90"."active_days_satisfied_at",
          "t90"."fit_employees",
          "t90"."fit",
          "t90"."qualified_at",
          CASE
            WHEN (
              "t90"."qualified_at" IS NOT NULL
            ) AND (
              "t90"."converted_at" IS NOT NULL
            )
            THEN 'converted_pql'
            WHEN "t90"."qualified_at" IS NOT NULL
            THEN 'pql'
            WHEN "t90"."converted_at" IS NOT NULL
            THEN 'converted_without_qualifying'
            WHEN NOT (
              "t90"."fit"
            )
            THEN 'failed_fit'
            ELSE 'not_qualified'
          END AS "status",
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
        FROM "t89" AS "t90"
        WHERE
          (
            DATE_TRUNC('MONTH', "t90"."signup_at") + INTERVAL '1' MONTH + INTERVAL '7' DAY
          ) <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
      ) AS "t92"
    ) AS "t94"
  ) AS "t95"
) AS "t97"
ORDER BY
  "t97"."cohort_start" ASC;

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
)
SELECT
  CAST(EXTRACT(year FROM "t91"."start") AS TEXT) || '-' || CASE
    WHEN 2 <= LENGTH(CAST(EXTRACT(month FROM "t91"."start") AS TEXT))
    THEN CAST(EXTRACT(month FROM "t91"."start") AS TEXT)
    ELSE REPEAT('0', 2 - LENGTH(CAST(EXTRACT(month FROM "t91"."start") AS TEXT))) || CAST(EXTRACT(month FROM "t91"."start") AS TEXT)
  END AS "period",
  "t91"."start" AS "period_start",
  "t91"."pqls"
FROM (
  SELECT
    DATE_TRUNC('MONTH', "t90"."qualified_at") AS "start",
    "t90"."segment",
    COUNT(*) AS "pqls"
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
      "t89"."fit",
      "t89"."qualified_at",
      CASE
        WHEN (
          "t89"."qualified_at" IS NOT NULL
        ) AND (
          "t89"."converted_at" IS NOT NULL
        )
        THEN 'converted_pql'
        WHEN "t89"."qualified_at" IS NOT NULL
        THEN 'pql'
        WHEN "t89"."converted_at" IS NOT NULL
        THEN 'converted_without_qualifying'
        WHEN NOT (
          "t89"."fit"
        )
        THEN 'failed_fit'
        ELSE 'not_qualified'
      END AS "status",
      CAST(NULL AS TEXT) AS "segment",
      DATE_TRUNC('MONTH', "t89"."signup_at") AS "cohort_start",
      (
        DATE_TRUNC('MONTH', "t89"."signup_at") + INTERVAL '1' MONTH + INTERVAL '7' DAY
      ) <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0) AS "complete",
      (
        "t89"."qualified_at" IS NOT NULL
      )
      AND (
        "t89"."qualified_at" <= (
          "t89"."signup_at" + INTERVAL '7' DAY
        )
      ) AS "is_pql",
      (
        "t89"."qualified_at" IS NOT NULL
      )
      AND (
        "t89"."qualified_at" <= (
          "t89"."signup_at" + INTERVAL '7' DAY
        )
      )
      AND (
        "t89"."converted_at" > "t89"."qualified_at"
      )
      AND (
        "t89"."converted_at" <= (
          "t89"."qualified_at" + INTERVAL '14' DAY
        )
      ) AS "converted_pql",
      NOT (
        (
          "t89"."qualified_at" IS NOT NULL
        )
        AND (
          "t89"."qualified_at" <= (
            "t89"."signup_at" + INTERVAL '7' DAY
          )
        )
      )
      AND (
        "t89"."converted_at" IS NOT NULL
      )
      AND (
        "t89"."converted_at" <= (
          "t89"."signup_at" + INTERVAL '21' DAY
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
        "t88"."rule_satisfied_at",
        COALESCE("t88"."active_days", 0) AS "active_days",
        "t88"."active_days_satisfied_at",
        "t88"."fit_employees",
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
    WHERE
      "t89"."qualified_at" IS NOT NULL
  ) AS "t90"
  GROUP BY
    1,
    2
) AS "t91"
ORDER BY
  "t91"."start" ASC,
  "t91"."segment" ASC NULLS FIRST;
