"""The dashboard rules of build_dashboards.lint catch what issue 16 found. Run: python3 -m unittest discover -s grafana"""

import io
import json
import sys
import tempfile
import unittest
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_dashboards as builder  # noqa: E402


def account_board() -> dict:
    return json.loads(json.dumps(builder.account_dashboard()))


def panel(board: dict, title: str) -> dict:
    return next(p for p in board["panels"] if p["title"] == title)


class LintTests(unittest.TestCase):
    def test_shipped_dashboards_follow_every_rule(self):
        for name, build in builder.DASHBOARDS.items():
            with self.subTest(name):
                self.assertEqual(builder.lint(build()), [])

    def test_a_merged_table_query_that_keeps_the_metric_name(self):
        board = account_board()
        panel(board, "Deployments")["targets"][0]["expr"] = 'akash_deployment_spend_usd_per_hour{job=~"$job", instance=~"$instance"}'
        self.assertEqual([p for p in builder.lint(board) if "__name__" in p],
                         ['akash-account / Deployments: merged table query A keeps __name__ (Grafana then shows one row '
                          'per query): akash_deployment_spend_usd_per_hour{job=~"$job", instance=~"$instance"}'])

    def test_a_table_column_without_a_unit(self):
        board = account_board()
        deployments = panel(board, "Deployments")
        deployments["fieldConfig"]["overrides"] = [o for o in deployments["fieldConfig"]["overrides"]
                                                   if o["matcher"]["options"] != "Runway"]
        self.assertEqual(builder.lint(board), ["akash-account / Deployments: column 'Runway' has no unit"])

    def test_a_dashboard_without_job_and_instance(self):
        board = account_board()
        board["templating"]["list"] = [v for v in board["templating"]["list"] if v["name"] not in ("job", "instance")]
        self.assertEqual(builder.lint(board)[:2], ["akash-account: no $job variable", "akash-account: no $instance variable"])

    def test_a_selector_that_ignores_job_and_instance(self):
        board = account_board()
        panel(board, "Active leases")["targets"][0]["expr"] = 'sum(akash_account_active_leases{owner=~"$owner"})'
        self.assertEqual(builder.lint(board), ['akash-account / Active leases: akash_account_active_leases{owner=~"$owner"} '
                                               'without $job/$instance'])

    def test_a_stat_on_a_range_query(self):
        board = account_board()
        target = panel(board, "Shortest escrow runway")["targets"][0]
        target.update(range=True, instant=False)
        self.assertEqual(builder.lint(board), ["akash-account / Shortest escrow runway: stat query A is a range query "
                                               "(freezes on its last value when the data goes)"])

    def test_which_queries_keep_the_metric_name(self):
        keeps = {'akash_x{job=~"$job"}': True, "max by (owner) (akash_x)": False, "akash_x * 730.488": False,
                 "time() - akash_x": False, "max(akash_x) or akash_y": True, "akash_x > 3": True,
                 "sum(akash_x) > akash_y": False, "(akash_x)": True, "last_over_time(akash_x[1h])": True}
        self.assertEqual({expr: builder.keeps_metric_name(expr) for expr in keeps}, keeps)

    def test_check_mode_fails_on_a_hand_edited_file(self):
        with tempfile.TemporaryDirectory() as directory, mock.patch.object(builder, "DASHBOARD_DIR", Path(directory)):
            self.assertEqual(builder.main([]), 0)
            self.assertEqual(builder.main(["--check"]), 0)
            path = Path(directory) / "akash-account.json"
            edited = json.loads(path.read_text())
            edited["title"] = "edited by hand"
            path.write_text(json.dumps(edited, indent=2) + "\n")
            with mock.patch("sys.stderr", new=io.StringIO()) as stderr:
                self.assertEqual(builder.main(["--check"]), 1)
            self.assertIn("dashboards out of date, run python3 grafana/build_dashboards.py: akash-account.json", stderr.getvalue())

if __name__ == "__main__":
    unittest.main()
