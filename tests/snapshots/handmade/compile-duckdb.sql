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
    ) AS "t23"
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
  "t87"."entity_id",
  "t87"."signup_at",
  "t87"."converted_at",
  "t87"."criterion_0_at",
  "t87"."criterion_1_at",
  "t87"."rule_satisfied_at",
  "t87"."active_days",
  "t87"."active_days_satisfied_at",
  "t87"."fit_employees",
  "t87"."fit",
  "t87"."qualified_at",
  CASE
    WHEN (
      "t87"."qualified_at" IS NOT NULL
    ) AND (
      "t87"."converted_at" IS NOT NULL
    )
    THEN 'converted_pql'
    WHEN "t87"."qualified_at" IS NOT NULL
    THEN 'pql'
    WHEN "t87"."converted_at" IS NOT NULL
    THEN 'converted_without_qualifying'
    WHEN NOT (
      "t87"."fit"
    )
    THEN 'failed_fit'
    ELSE 'not_qualified'
  END AS "status",
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
    COALESCE("t86"."active_days", 0) AS "active_days",
    "t86"."active_days_satisfied_at",
    "t86"."fit_employees",
    COALESCE("t86"."fit_employees", TRUE) AS "fit",
    CASE
      WHEN (
        "t86"."converted_at" IS NOT NULL
      )
      AND (
        "t86"."converted_at" <= CASE
          WHEN COALESCE("t86"."fit_employees", TRUE)
          THEN CASE
            WHEN (
              "t86"."rule_satisfied_at" IS NULL
            )
            OR (
              "t86"."active_days_satisfied_at" IS NULL
            )
            THEN CAST(NULL AS TIMESTAMP)
            ELSE GREATEST("t86"."rule_satisfied_at", "t86"."active_days_satisfied_at")
          END
          ELSE CAST(NULL AS TIMESTAMP)
        END
      )
      THEN CAST(NULL AS TIMESTAMP)
      ELSE CASE
        WHEN COALESCE("t86"."fit_employees", TRUE)
        THEN CASE
          WHEN (
            "t86"."rule_satisfied_at" IS NULL
          )
          OR (
            "t86"."active_days_satisfied_at" IS NULL
          )
          THEN CAST(NULL AS TIMESTAMP)
          ELSE GREATEST("t86"."rule_satisfied_at", "t86"."active_days_satisfied_at")
        END
        ELSE CAST(NULL AS TIMESTAMP)
      END
    END AS "qualified_at"
  FROM (
    SELECT
      "t85".*
      EXCLUDE ("f_id")
    FROM (
      SELECT
        "t84"."entity_id",
        "t84"."signup_at",
        "t84"."converted_at",
        "t84"."criterion_0_at",
        "t84"."criterion_1_at",
        "t84"."rule_satisfied_at",
        "t84"."active_days",
        "t84"."active_days_satisfied_at",
        "t12"."f_id",
        "t12"."fit_employees"
      FROM (
        SELECT
          "t82".*
          EXCLUDE ("a_id")
        FROM (
          SELECT
            "t81"."entity_id",
            "t81"."signup_at",
            "t81"."converted_at",
            "t81"."criterion_0_at",
            "t81"."criterion_1_at",
            "t81"."rule_satisfied_at",
            "t75"."a_id",
            "t75"."active_days",
            "t75"."active_days_satisfied_at"
          FROM (
            SELECT
              "t79".*
              EXCLUDE ("c_id")
            FROM (
              SELECT
                "t56"."entity_id",
                "t56"."signup_at",
                "t56"."converted_at",
                "t78"."c_id",
                "t78"."criterion_0_at",
                "t78"."criterion_1_at",
                "t78"."rule_satisfied_at"
              FROM (
                SELECT
                  *
                FROM "t52" AS "t53"
                WHERE
                  "t53"."signup_at" <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
              ) AS "t56"
              LEFT OUTER JOIN (
                SELECT
                  "t76"."c_id",
                  "t76"."criterion_0_at",
                  "t76"."criterion_1_at",
                  NULLIF(
                    LEAST(
                      CASE
                        WHEN (
                          0.0 + CASE WHEN "t76"."criterion_0_at" <= "t76"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t76"."criterion_1_at" <= "t76"."criterion_0_at" THEN 1.0 ELSE 0.0 END
                        ) >= 1.999999999
                        THEN "t76"."criterion_0_at"
                        ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
                      END,
                      CASE
                        WHEN (
                          0.0 + CASE WHEN "t76"."criterion_0_at" <= "t76"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t76"."criterion_1_at" <= "t76"."criterion_1_at" THEN 1.0 ELSE 0.0 END
                        ) >= 1.999999999
                        THEN "t76"."criterion_1_at"
                        ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
                      END
                    ),
                    MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
                  ) AS "rule_satisfied_at"
                FROM (
                  SELECT
                    "t71"."c_id",
                    "t71"."criterion_1_at",
                    "t73"."s_id",
                    "t73"."criterion_0_at"
                  FROM (
                    SELECT
                      "t65"."entity_id" AS "c_id",
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
                                  AND "t21"."event" IN ('Create', 'Invite')
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
                                    AND "t21"."event" IN ('Create', 'Invite')
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
                  ) AS "t71"
                  LEFT OUTER JOIN (
                    SELECT
                      "t68"."entity_id" AS "s_id",
                      "t68"."ts" AS "criterion_0_at"
                    FROM (
                      SELECT
                        "t66"."entity_id",
                        "t66"."event",
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
                                    AND "t21"."event" IN ('Create', 'Invite')
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
                                      AND "t21"."event" IN ('Create', 'Invite')
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
                            (
                              "t63"."a_converted" IS NULL
                            ) OR (
                              "t63"."ts" < "t63"."a_converted"
                            )
                          )
                          AND "t63"."event" = 'Create'
                      ) AS "t66"
                    ) AS "t68"
                    WHERE
                      "t68"."position" = 1
                  ) AS "t73"
                    ON "t71"."c_id" = "t73"."s_id"
                ) AS "t76"
              ) AS "t78"
                ON "t56"."entity_id" = "t78"."c_id"
            ) AS "t79"
          ) AS "t81"
          LEFT OUTER JOIN (
            SELECT
              "t69"."entity_id" AS "a_id",
              COUNT("t69"."first_ts") AS "active_days",
              MIN("t69"."first_ts") FILTER(WHERE
                "t69"."position" = 1) AS "active_days_satisfied_at"
            FROM (
              SELECT
                "t67"."entity_id",
                "t67"."day",
                "t67"."first_ts",
                ROW_NUMBER() OVER (
                  PARTITION BY "t67"."entity_id"
                  ORDER BY "t67"."day" ASC
                  ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                ) - 1 AS "position"
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
              ) AS "t67"
            ) AS "t69"
            GROUP BY
              1
          ) AS "t75"
            ON "t81"."entity_id" = "t75"."a_id"
        ) AS "t82"
      ) AS "t84"
      LEFT OUTER JOIN (
        SELECT
          "t0"."account_id" AS "f_id",
          "t0"."employees" >= 5 AS "fit_employees"
        FROM "accounts" AS "t0"
      ) AS "t12"
        ON "t84"."entity_id" = "t12"."f_id"
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
    ) AS "t25"
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
), "t73" AS (
  SELECT
    "t72"."c_id",
    "t72"."criterion_0_at",
    "t72"."criterion_1_at",
    NULLIF(
      LEAST(
        CASE
          WHEN (
            0.0 + CASE WHEN "t72"."criterion_0_at" <= "t72"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t72"."criterion_1_at" <= "t72"."criterion_0_at" THEN 1.0 ELSE 0.0 END
          ) >= 1.999999999
          THEN "t72"."criterion_0_at"
          ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
        END,
        CASE
          WHEN (
            0.0 + CASE WHEN "t72"."criterion_0_at" <= "t72"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t72"."criterion_1_at" <= "t72"."criterion_1_at" THEN 1.0 ELSE 0.0 END
          ) >= 1.999999999
          THEN "t72"."criterion_1_at"
          ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
        END
      ),
      MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
    ) AS "rule_satisfied_at"
  FROM (
    SELECT
      "t69"."c_id",
      "t69"."criterion_1_at",
      "t71"."s_id",
      "t71"."criterion_0_at"
    FROM (
      SELECT
        "t65"."entity_id" AS "c_id",
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
                    AND "t23"."event" IN ('Create', 'Invite')
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
                      AND "t23"."event" IN ('Create', 'Invite')
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
    ) AS "t69"
    LEFT OUTER JOIN (
      SELECT
        "t67"."entity_id" AS "s_id",
        "t67"."ts" AS "criterion_0_at"
      FROM (
        SELECT
          "t66"."entity_id",
          "t66"."event",
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
                      AND "t23"."event" IN ('Create', 'Invite')
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
                        AND "t23"."event" IN ('Create', 'Invite')
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
              (
                "t64"."a_converted" IS NULL
              ) OR (
                "t64"."ts" < "t64"."a_converted"
              )
            )
            AND "t64"."event" = 'Create'
        ) AS "t66"
      ) AS "t67"
      WHERE
        "t67"."position" = 1
    ) AS "t71"
      ON "t69"."c_id" = "t71"."s_id"
  ) AS "t72"
), "t96" AS (
  SELECT
    "t95"."entity_id",
    "t95"."signup_at",
    "t95"."converted_at",
    "t95"."criterion_0_at",
    "t95"."criterion_1_at",
    "t95"."rule_satisfied_at",
    COALESCE("t95"."active_days", 0) AS "active_days",
    "t95"."active_days_satisfied_at",
    "t95"."fit_employees",
    COALESCE("t95"."fit_employees", TRUE) AS "fit",
    CASE
      WHEN (
        "t95"."converted_at" IS NOT NULL
      )
      AND (
        "t95"."converted_at" <= CASE
          WHEN COALESCE("t95"."fit_employees", TRUE)
          THEN CASE
            WHEN (
              "t95"."rule_satisfied_at" IS NULL
            )
            OR (
              "t95"."active_days_satisfied_at" IS NULL
            )
            THEN CAST(NULL AS TIMESTAMP)
            ELSE GREATEST("t95"."rule_satisfied_at", "t95"."active_days_satisfied_at")
          END
          ELSE CAST(NULL AS TIMESTAMP)
        END
      )
      THEN CAST(NULL AS TIMESTAMP)
      ELSE CASE
        WHEN COALESCE("t95"."fit_employees", TRUE)
        THEN CASE
          WHEN (
            "t95"."rule_satisfied_at" IS NULL
          )
          OR (
            "t95"."active_days_satisfied_at" IS NULL
          )
          THEN CAST(NULL AS TIMESTAMP)
          ELSE GREATEST("t95"."rule_satisfied_at", "t95"."active_days_satisfied_at")
        END
        ELSE CAST(NULL AS TIMESTAMP)
      END
    END AS "qualified_at"
  FROM (
    SELECT
      "t94".*
      EXCLUDE ("f_id")
    FROM (
      SELECT
        "t93"."entity_id",
        "t93"."signup_at",
        "t93"."converted_at",
        "t93"."criterion_0_at",
        "t93"."criterion_1_at",
        "t93"."rule_satisfied_at",
        "t93"."active_days",
        "t93"."active_days_satisfied_at",
        "t12"."f_id",
        "t12"."fit_employees"
      FROM (
        SELECT
          "t91".*
          EXCLUDE ("a_id")
        FROM (
          SELECT
            "t80"."entity_id",
            "t80"."signup_at",
            "t80"."converted_at",
            "t80"."criterion_0_at",
            "t80"."criterion_1_at",
            "t80"."rule_satisfied_at",
            "t90"."a_id",
            "t90"."active_days",
            "t90"."active_days_satisfied_at"
          FROM (
            SELECT
              "t78".*
              EXCLUDE ("c_id")
            FROM (
              SELECT
                "t58"."entity_id",
                "t58"."signup_at",
                "t58"."converted_at",
                "t75"."c_id",
                "t75"."criterion_0_at",
                "t75"."criterion_1_at",
                "t75"."rule_satisfied_at"
              FROM (
                SELECT
                  *
                FROM "t54" AS "t55"
                WHERE
                  "t55"."signup_at" <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
              ) AS "t58"
              LEFT OUTER JOIN "t73" AS "t75"
                ON "t58"."entity_id" = "t75"."c_id"
            ) AS "t78"
          ) AS "t80"
          LEFT OUTER JOIN (
            SELECT
              "t88"."entity_id" AS "a_id",
              COUNT("t88"."first_ts") AS "active_days",
              MIN("t88"."first_ts") FILTER(WHERE
                "t88"."position" = 1) AS "active_days_satisfied_at"
            FROM (
              SELECT
                "t87"."entity_id",
                "t87"."day",
                "t87"."first_ts",
                ROW_NUMBER() OVER (
                  PARTITION BY "t87"."entity_id"
                  ORDER BY "t87"."day" ASC
                  ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                ) - 1 AS "position"
              FROM (
                SELECT
                  "t86"."entity_id",
                  DATE_TRUNC('DAY', "t86"."ts") AS "day",
                  MIN("t86"."ts") AS "first_ts"
                FROM (
                  SELECT
                    "t85"."entity_id",
                    "t85"."ts",
                    "t85"."a_signup" AS "signup_at",
                    "t85"."a_converted" AS "converted_at"
                  FROM (
                    SELECT
                      "t84".*
                      EXCLUDE ("a_entity")
                    FROM (
                      SELECT
                        *
                      FROM (
                        SELECT
                          "t39"."entity_id",
                          "t39"."ts",
                          "t82"."a_entity",
                          "t82"."a_signup",
                          "t82"."a_converted"
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
                            FROM "t73" AS "t74"
                            WHERE
                              "t74"."rule_satisfied_at" IS NOT NULL
                          ) AS "t77"
                            ON "t59"."a_entity" = "t77"."c_id"
                        ) AS "t82"
                          ON "t39"."entity_id" = "t82"."a_entity"
                      ) AS "t83"
                      WHERE
                        "t83"."ts" >= "t83"."a_signup"
                    ) AS "t84"
                  ) AS "t85"
                ) AS "t86"
                GROUP BY
                  1,
                  2
              ) AS "t87"
            ) AS "t88"
            GROUP BY
              1
          ) AS "t90"
            ON "t80"."entity_id" = "t90"."a_id"
        ) AS "t91"
      ) AS "t93"
      LEFT OUTER JOIN (
        SELECT
          "t0"."account_id" AS "f_id",
          "t0"."employees" >= 5 AS "fit_employees"
        FROM "accounts" AS "t0"
      ) AS "t12"
        ON "t93"."entity_id" = "t12"."f_id"
    ) AS "t94"
  ) AS "t95"
)
SELECT
  *
FROM (
  SELECT
    *
  FROM (
    SELECT
      CAST(EXTRACT(year FROM "t100"."cohort_start") AS TEXT) || '-' || CASE
        WHEN 2 <= LENGTH(CAST(EXTRACT(month FROM "t100"."cohort_start") AS TEXT))
        THEN CAST(EXTRACT(month FROM "t100"."cohort_start") AS TEXT)
        ELSE REPEAT('0', 2 - LENGTH(CAST(EXTRACT(month FROM "t100"."cohort_start") AS TEXT))) || CAST(EXTRACT(month FROM "t100"."cohort_start") AS TEXT)
      END AS "cohort",
      "t100"."cohort_start",
      "t100"."complete",
      "t100"."signups",
      COALESCE("t100"."pqls", 0) AS "pqls",
      COALESCE("t100"."converted_pqls", 0) AS "converted_pqls",
      "t100"."signups" - COALESCE("t100"."pqls", 0) AS "non_pql_signups",
      COALESCE("t100"."non_pql_converted", 0) AS "non_pql_converted",
      "t100"."p25" AS "time_to_pql_days_p25",
      "t100"."median" AS "time_to_pql_days_median",
      "t100"."p75" AS "time_to_pql_days_p75"
    FROM (
      SELECT
        "t98"."cohort_start",
        "t98"."complete",
        COUNT(*) AS "signups",
        SUM(CAST("t98"."is_pql" AS INT)) AS "pqls",
        SUM(CAST("t98"."converted_pql" AS INT)) AS "converted_pqls",
        SUM(CAST("t98"."non_pql_converted" AS INT)) AS "non_pql_converted",
        QUANTILE_CONT("t98"."days_to_pql", 0.5) FILTER(WHERE
          "t98"."is_pql") AS "median",
        QUANTILE_CONT("t98"."days_to_pql", 0.25) FILTER(WHERE
          "t98"."is_pql") AS "p25",
        QUANTILE_CONT("t98"."days_to_pql", 0.75) FILTER(WHERE
          "t98"."is_pql") AS "p75"
      FROM (
        SELECT
          "t97"."entity_id",
          "t97"."signup_at",
          "t97"."converted_at",
          "t97"."criterion_0_at",
          "t97"."criterion_1_at",
          "t97"."rule_satisfied_at",
          "t97"."active_days",
          "t97"."active_days_satisfied_at",
          "t97"."fit_employees",
          "t97"."fit",
          "t97"."qualified_at",
          CASE
            WHEN (
              "t97"."qualified_at" IS NOT NULL
            ) AND (
              "t97"."converted_at" IS NOT NULL
            )
            THEN 'converted_pql'
            WHEN "t97"."qualified_at" IS NOT NULL
            THEN 'pql'
            WHEN "t97"."converted_at" IS NOT NULL
            THEN 'converted_without_qualifying'
            WHEN NOT (
              "t97"."fit"
            )
            THEN 'failed_fit'
            ELSE 'not_qualified'
          END AS "status",
          CAST(NULL AS TEXT) AS "segment",
          DATE_TRUNC('MONTH', "t97"."signup_at") AS "cohort_start",
          (
            DATE_TRUNC('MONTH', "t97"."signup_at") + INTERVAL '1' MONTH + INTERVAL '7' DAY
          ) <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0) AS "complete",
          (
            "t97"."qualified_at" IS NOT NULL
          )
          AND (
            "t97"."qualified_at" <= (
              "t97"."signup_at" + INTERVAL '7' DAY
            )
          ) AS "is_pql",
          (
            "t97"."qualified_at" IS NOT NULL
          )
          AND (
            "t97"."qualified_at" <= (
              "t97"."signup_at" + INTERVAL '7' DAY
            )
          )
          AND (
            "t97"."converted_at" > "t97"."qualified_at"
          )
          AND (
            "t97"."converted_at" <= (
              "t97"."qualified_at" + INTERVAL '14' DAY
            )
          ) AS "converted_pql",
          NOT (
            (
              "t97"."qualified_at" IS NOT NULL
            )
            AND (
              "t97"."qualified_at" <= (
                "t97"."signup_at" + INTERVAL '7' DAY
              )
            )
          )
          AND (
            "t97"."converted_at" IS NOT NULL
          )
          AND (
            "t97"."converted_at" <= (
              "t97"."signup_at" + INTERVAL '21' DAY
            )
          ) AS "non_pql_converted",
          CAST(DATE_DIFF('MICROSECOND', "t97"."signup_at", "t97"."qualified_at") AS DOUBLE) / 86400000000 AS "days_to_pql"
        FROM "t96" AS "t97"
      ) AS "t98"
      GROUP BY
        1,
        2
    ) AS "t100"
  ) AS "t103"
  UNION ALL
  SELECT
    *
  FROM (
    SELECT
      CAST(NULL AS TEXT) AS "cohort",
      CAST(NULL AS TIMESTAMP) AS "cohort_start",
      TRUE AS "complete",
      "t101"."signups",
      COALESCE("t101"."pqls", 0) AS "pqls",
      COALESCE("t101"."converted_pqls", 0) AS "converted_pqls",
      "t101"."signups" - COALESCE("t101"."pqls", 0) AS "non_pql_signups",
      COALESCE("t101"."non_pql_converted", 0) AS "non_pql_converted",
      "t101"."p25" AS "time_to_pql_days_p25",
      "t101"."median" AS "time_to_pql_days_median",
      "t101"."p75" AS "time_to_pql_days_p75"
    FROM (
      SELECT
        COUNT(*) AS "signups",
        SUM(CAST("t99"."is_pql" AS INT)) AS "pqls",
        SUM(CAST("t99"."converted_pql" AS INT)) AS "converted_pqls",
        SUM(CAST("t99"."non_pql_converted" AS INT)) AS "non_pql_converted",
        QUANTILE_CONT("t99"."days_to_pql", 0.5) FILTER(WHERE
          "t99"."is_pql") AS "median",
        QUANTILE_CONT("t99"."days_to_pql", 0.25) FILTER(WHERE
          "t99"."is_pql") AS "p25",
        QUANTILE_CONT("t99"."days_to_pql", 0.75) FILTER(WHERE
          "t99"."is_pql") AS "p75"
      FROM (
        SELECT
          "t97"."entity_id",
          "t97"."signup_at",
          "t97"."converted_at",
          "t97"."criterion_0_at",
          "t97"."criterion_1_at",
          "t97"."rule_satisfied_at",
          "t97"."active_days",
          "t97"."active_days_satisfied_at",
          "t97"."fit_employees",
          "t97"."fit",
          "t97"."qualified_at",
          CASE
            WHEN (
              "t97"."qualified_at" IS NOT NULL
            ) AND (
              "t97"."converted_at" IS NOT NULL
            )
            THEN 'converted_pql'
            WHEN "t97"."qualified_at" IS NOT NULL
            THEN 'pql'
            WHEN "t97"."converted_at" IS NOT NULL
            THEN 'converted_without_qualifying'
            WHEN NOT (
              "t97"."fit"
            )
            THEN 'failed_fit'
            ELSE 'not_qualified'
          END AS "status",
          CAST(NULL AS TEXT) AS "segment",
          DATE_TRUNC('MONTH', "t97"."signup_at") AS "cohort_start",
          (
            DATE_TRUNC('MONTH', "t97"."signup_at") + INTERVAL '1' MONTH + INTERVAL '7' DAY
          ) <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0) AS "complete",
          (
            "t97"."qualified_at" IS NOT NULL
          )
          AND (
            "t97"."qualified_at" <= (
              "t97"."signup_at" + INTERVAL '7' DAY
            )
          ) AS "is_pql",
          (
            "t97"."qualified_at" IS NOT NULL
          )
          AND (
            "t97"."qualified_at" <= (
              "t97"."signup_at" + INTERVAL '7' DAY
            )
          )
          AND (
            "t97"."converted_at" > "t97"."qualified_at"
          )
          AND (
            "t97"."converted_at" <= (
              "t97"."qualified_at" + INTERVAL '14' DAY
            )
          ) AS "converted_pql",
          NOT (
            (
              "t97"."qualified_at" IS NOT NULL
            )
            AND (
              "t97"."qualified_at" <= (
                "t97"."signup_at" + INTERVAL '7' DAY
              )
            )
          )
          AND (
            "t97"."converted_at" IS NOT NULL
          )
          AND (
            "t97"."converted_at" <= (
              "t97"."signup_at" + INTERVAL '21' DAY
            )
          ) AS "non_pql_converted",
          CAST(DATE_DIFF('MICROSECOND', "t97"."signup_at", "t97"."qualified_at") AS DOUBLE) / 86400000000 AS "days_to_pql"
        FROM "t96" AS "t97"
        WHERE
          (
            DATE_TRUNC('MONTH', "t97"."signup_at") + INTERVAL '1' MONTH + INTERVAL '7' DAY
          ) <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
      ) AS "t99"
    ) AS "t101"
  ) AS "t102"
) AS "t104"
ORDER BY
  "t104"."cohort_start" ASC;

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
    ) AS "t25"
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
), "t73" AS (
  SELECT
    "t72"."c_id",
    "t72"."criterion_0_at",
    "t72"."criterion_1_at",
    NULLIF(
      LEAST(
        CASE
          WHEN (
            0.0 + CASE WHEN "t72"."criterion_0_at" <= "t72"."criterion_0_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t72"."criterion_1_at" <= "t72"."criterion_0_at" THEN 1.0 ELSE 0.0 END
          ) >= 1.999999999
          THEN "t72"."criterion_0_at"
          ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
        END,
        CASE
          WHEN (
            0.0 + CASE WHEN "t72"."criterion_0_at" <= "t72"."criterion_1_at" THEN 1.0 ELSE 0.0 END + CASE WHEN "t72"."criterion_1_at" <= "t72"."criterion_1_at" THEN 1.0 ELSE 0.0 END
          ) >= 1.999999999
          THEN "t72"."criterion_1_at"
          ELSE MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
        END
      ),
      MAKE_TIMESTAMP(9999, 12, 31, 0, 0, 0.0)
    ) AS "rule_satisfied_at"
  FROM (
    SELECT
      "t69"."c_id",
      "t69"."criterion_1_at",
      "t71"."s_id",
      "t71"."criterion_0_at"
    FROM (
      SELECT
        "t65"."entity_id" AS "c_id",
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
                    AND "t23"."event" IN ('Create', 'Invite')
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
                      AND "t23"."event" IN ('Create', 'Invite')
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
    ) AS "t69"
    LEFT OUTER JOIN (
      SELECT
        "t67"."entity_id" AS "s_id",
        "t67"."ts" AS "criterion_0_at"
      FROM (
        SELECT
          "t66"."entity_id",
          "t66"."event",
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
                      AND "t23"."event" IN ('Create', 'Invite')
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
                        AND "t23"."event" IN ('Create', 'Invite')
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
              (
                "t64"."a_converted" IS NULL
              ) OR (
                "t64"."ts" < "t64"."a_converted"
              )
            )
            AND "t64"."event" = 'Create'
        ) AS "t66"
      ) AS "t67"
      WHERE
        "t67"."position" = 1
    ) AS "t71"
      ON "t69"."c_id" = "t71"."s_id"
  ) AS "t72"
)
SELECT
  CAST(EXTRACT(year FROM "t98"."start") AS TEXT) || '-' || CASE
    WHEN 2 <= LENGTH(CAST(EXTRACT(month FROM "t98"."start") AS TEXT))
    THEN CAST(EXTRACT(month FROM "t98"."start") AS TEXT)
    ELSE REPEAT('0', 2 - LENGTH(CAST(EXTRACT(month FROM "t98"."start") AS TEXT))) || CAST(EXTRACT(month FROM "t98"."start") AS TEXT)
  END AS "period",
  "t98"."start" AS "period_start",
  "t98"."pqls"
FROM (
  SELECT
    DATE_TRUNC('MONTH', "t97"."qualified_at") AS "start",
    "t97"."segment",
    COUNT(*) AS "pqls"
  FROM (
    SELECT
      "t96"."entity_id",
      "t96"."signup_at",
      "t96"."converted_at",
      "t96"."criterion_0_at",
      "t96"."criterion_1_at",
      "t96"."rule_satisfied_at",
      "t96"."active_days",
      "t96"."active_days_satisfied_at",
      "t96"."fit_employees",
      "t96"."fit",
      "t96"."qualified_at",
      CASE
        WHEN (
          "t96"."qualified_at" IS NOT NULL
        ) AND (
          "t96"."converted_at" IS NOT NULL
        )
        THEN 'converted_pql'
        WHEN "t96"."qualified_at" IS NOT NULL
        THEN 'pql'
        WHEN "t96"."converted_at" IS NOT NULL
        THEN 'converted_without_qualifying'
        WHEN NOT (
          "t96"."fit"
        )
        THEN 'failed_fit'
        ELSE 'not_qualified'
      END AS "status",
      CAST(NULL AS TEXT) AS "segment",
      DATE_TRUNC('MONTH', "t96"."signup_at") AS "cohort_start",
      (
        DATE_TRUNC('MONTH', "t96"."signup_at") + INTERVAL '1' MONTH + INTERVAL '7' DAY
      ) <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0) AS "complete",
      (
        "t96"."qualified_at" IS NOT NULL
      )
      AND (
        "t96"."qualified_at" <= (
          "t96"."signup_at" + INTERVAL '7' DAY
        )
      ) AS "is_pql",
      (
        "t96"."qualified_at" IS NOT NULL
      )
      AND (
        "t96"."qualified_at" <= (
          "t96"."signup_at" + INTERVAL '7' DAY
        )
      )
      AND (
        "t96"."converted_at" > "t96"."qualified_at"
      )
      AND (
        "t96"."converted_at" <= (
          "t96"."qualified_at" + INTERVAL '14' DAY
        )
      ) AS "converted_pql",
      NOT (
        (
          "t96"."qualified_at" IS NOT NULL
        )
        AND (
          "t96"."qualified_at" <= (
            "t96"."signup_at" + INTERVAL '7' DAY
          )
        )
      )
      AND (
        "t96"."converted_at" IS NOT NULL
      )
      AND (
        "t96"."converted_at" <= (
          "t96"."signup_at" + INTERVAL '21' DAY
        )
      ) AS "non_pql_converted",
      CAST(DATE_DIFF('MICROSECOND', "t96"."signup_at", "t96"."qualified_at") AS DOUBLE) / 86400000000 AS "days_to_pql"
    FROM (
      SELECT
        "t95"."entity_id",
        "t95"."signup_at",
        "t95"."converted_at",
        "t95"."criterion_0_at",
        "t95"."criterion_1_at",
        "t95"."rule_satisfied_at",
        COALESCE("t95"."active_days", 0) AS "active_days",
        "t95"."active_days_satisfied_at",
        "t95"."fit_employees",
        COALESCE("t95"."fit_employees", TRUE) AS "fit",
        CASE
          WHEN (
            "t95"."converted_at" IS NOT NULL
          )
          AND (
            "t95"."converted_at" <= CASE
              WHEN COALESCE("t95"."fit_employees", TRUE)
              THEN CASE
                WHEN (
                  "t95"."rule_satisfied_at" IS NULL
                )
                OR (
                  "t95"."active_days_satisfied_at" IS NULL
                )
                THEN CAST(NULL AS TIMESTAMP)
                ELSE GREATEST("t95"."rule_satisfied_at", "t95"."active_days_satisfied_at")
              END
              ELSE CAST(NULL AS TIMESTAMP)
            END
          )
          THEN CAST(NULL AS TIMESTAMP)
          ELSE CASE
            WHEN COALESCE("t95"."fit_employees", TRUE)
            THEN CASE
              WHEN (
                "t95"."rule_satisfied_at" IS NULL
              )
              OR (
                "t95"."active_days_satisfied_at" IS NULL
              )
              THEN CAST(NULL AS TIMESTAMP)
              ELSE GREATEST("t95"."rule_satisfied_at", "t95"."active_days_satisfied_at")
            END
            ELSE CAST(NULL AS TIMESTAMP)
          END
        END AS "qualified_at"
      FROM (
        SELECT
          "t94".*
          EXCLUDE ("f_id")
        FROM (
          SELECT
            "t93"."entity_id",
            "t93"."signup_at",
            "t93"."converted_at",
            "t93"."criterion_0_at",
            "t93"."criterion_1_at",
            "t93"."rule_satisfied_at",
            "t93"."active_days",
            "t93"."active_days_satisfied_at",
            "t12"."f_id",
            "t12"."fit_employees"
          FROM (
            SELECT
              "t91".*
              EXCLUDE ("a_id")
            FROM (
              SELECT
                "t80"."entity_id",
                "t80"."signup_at",
                "t80"."converted_at",
                "t80"."criterion_0_at",
                "t80"."criterion_1_at",
                "t80"."rule_satisfied_at",
                "t90"."a_id",
                "t90"."active_days",
                "t90"."active_days_satisfied_at"
              FROM (
                SELECT
                  "t78".*
                  EXCLUDE ("c_id")
                FROM (
                  SELECT
                    "t58"."entity_id",
                    "t58"."signup_at",
                    "t58"."converted_at",
                    "t75"."c_id",
                    "t75"."criterion_0_at",
                    "t75"."criterion_1_at",
                    "t75"."rule_satisfied_at"
                  FROM (
                    SELECT
                      *
                    FROM "t54" AS "t55"
                    WHERE
                      "t55"."signup_at" <= MAKE_TIMESTAMP(2026, 3, 31, 0, 0, 0.0)
                  ) AS "t58"
                  LEFT OUTER JOIN "t73" AS "t75"
                    ON "t58"."entity_id" = "t75"."c_id"
                ) AS "t78"
              ) AS "t80"
              LEFT OUTER JOIN (
                SELECT
                  "t88"."entity_id" AS "a_id",
                  COUNT("t88"."first_ts") AS "active_days",
                  MIN("t88"."first_ts") FILTER(WHERE
                    "t88"."position" = 1) AS "active_days_satisfied_at"
                FROM (
                  SELECT
                    "t87"."entity_id",
                    "t87"."day",
                    "t87"."first_ts",
                    ROW_NUMBER() OVER (
                      PARTITION BY "t87"."entity_id"
                      ORDER BY "t87"."day" ASC
                      ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                    ) - 1 AS "position"
                  FROM (
                    SELECT
                      "t86"."entity_id",
                      DATE_TRUNC('DAY', "t86"."ts") AS "day",
                      MIN("t86"."ts") AS "first_ts"
                    FROM (
                      SELECT
                        "t85"."entity_id",
                        "t85"."ts",
                        "t85"."a_signup" AS "signup_at",
                        "t85"."a_converted" AS "converted_at"
                      FROM (
                        SELECT
                          "t84".*
                          EXCLUDE ("a_entity")
                        FROM (
                          SELECT
                            *
                          FROM (
                            SELECT
                              "t39"."entity_id",
                              "t39"."ts",
                              "t82"."a_entity",
                              "t82"."a_signup",
                              "t82"."a_converted"
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
                                FROM "t73" AS "t74"
                                WHERE
                                  "t74"."rule_satisfied_at" IS NOT NULL
                              ) AS "t77"
                                ON "t59"."a_entity" = "t77"."c_id"
                            ) AS "t82"
                              ON "t39"."entity_id" = "t82"."a_entity"
                          ) AS "t83"
                          WHERE
                            "t83"."ts" >= "t83"."a_signup"
                        ) AS "t84"
                      ) AS "t85"
                    ) AS "t86"
                    GROUP BY
                      1,
                      2
                  ) AS "t87"
                ) AS "t88"
                GROUP BY
                  1
              ) AS "t90"
                ON "t80"."entity_id" = "t90"."a_id"
            ) AS "t91"
          ) AS "t93"
          LEFT OUTER JOIN (
            SELECT
              "t0"."account_id" AS "f_id",
              "t0"."employees" >= 5 AS "fit_employees"
            FROM "accounts" AS "t0"
          ) AS "t12"
            ON "t93"."entity_id" = "t12"."f_id"
        ) AS "t94"
      ) AS "t95"
    ) AS "t96"
    WHERE
      "t96"."qualified_at" IS NOT NULL
  ) AS "t97"
  GROUP BY
    1,
    2
) AS "t98"
ORDER BY
  "t98"."start" ASC,
  "t98"."segment" ASC NULLS FIRST;
