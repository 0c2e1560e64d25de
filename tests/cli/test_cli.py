"""The `palabre` command line, run in-process on temporary databases."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest

from palabre.cli.main import main
from palabre.settings import SERVER_SETTINGS, SETTINGS, SITE_SETTINGS, ServerConfig, load_config
from tests.conftest import Api

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No PALABRE_* variable leaks in, and relative paths land in a temporary folder."""
    for name in list(os.environ):
        if name.startswith("PALABRE_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_config_docs_is_the_committed_configuration_md(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "config", "docs")
    assert code == 0
    assert out == (ROOT / "docs" / "configuration.md").read_text("utf-8"), (
        "docs/configuration.md is stale: regenerate it with `palabre config docs`")


def test_config_docs_names_every_setting(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "config", "docs")
    for setting in SETTINGS:
        assert f"`{setting.name}`" in out
        assert setting.help.split(".")[0] in out
    for setting in SERVER_SETTINGS:
        assert f"`{setting.env_var}`" in out


def test_config_init_writes_every_server_setting_commented(capsys: pytest.CaptureFixture[str],
                                                           tmp_path: Path) -> None:
    path = tmp_path / "palabre.toml"
    code, out, _ = run(capsys, "config", "init", str(path))
    assert code == 0 and str(path) in out
    text = path.read_text("utf-8")
    assert tomllib.loads(text) == {"server": {}}  # everything is commented out
    assert load_config(config_file=path, env={}) == ServerConfig()
    lines = text.splitlines()
    start = lines.index("[server]")
    settings_lines = [line for line in lines[start:] if line.startswith("# ") and " = " in line
                      and not line.startswith("#   ")]
    uncommented = tomllib.loads("\n".join(line[2:] for line in settings_lines))
    assert uncommented == {s.name: s.default for s in SERVER_SETTINGS}
    for setting in SERVER_SETTINGS:
        assert f"# {setting.help}" in lines
    for setting in SITE_SETTINGS:
        assert any(line.startswith(f"#   {setting.name} = ") for line in lines)


def test_config_init_file_round_trips_when_uncommented(capsys: pytest.CaptureFixture[str],
                                                       tmp_path: Path) -> None:
    path = tmp_path / "palabre.toml"
    run(capsys, "config", "init", str(path))
    text = path.read_text("utf-8").replace("# port = 8080", "port = 9999")
    path.write_text(text, "utf-8")
    assert load_config(config_file=path, env={}).port == 9999


def test_config_init_refuses_to_overwrite(capsys: pytest.CaptureFixture[str],
                                          tmp_path: Path) -> None:
    path = tmp_path / "palabre.toml"
    path.write_text("keep me", "utf-8")
    code, _, err = run(capsys, "config", "init", str(path))
    assert code == 2
    assert "exists" in err
    assert path.read_text("utf-8") == "keep me"
    assert run(capsys, "config", "init", str(path), "--force")[0] == 0
    assert "[server]" in path.read_text("utf-8")


def test_every_server_setting_is_an_option_of_serve(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--help"])
    assert exit_info.value.code == 0
    help_text = " ".join(capsys.readouterr().out.split())
    for setting in SERVER_SETTINGS:
        assert "--" + setting.name.replace("_", "-") in help_text, setting.name
        assert setting.env_var in help_text, setting.name
    assert "--database" in help_text and "--config" in help_text


@pytest.mark.parametrize("argv", [
    ["thread", "close", "--uri", "/a"], ["thread", "open", "--uri", "/a"],
    ["site", "show"], ["site", "set", "max_depth", "3"], ["site", "create", "blog"],
    ["db", "upgrade"],
])
def test_data_commands_take_the_database_option(capsys: pytest.CaptureFixture[str],
                                                argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*argv, "--help"])
    assert exit_info.value.code == 0
    help_text = capsys.readouterr().out
    assert "--database" in help_text and "PALABRE_DATABASE_URL" in help_text


def test_thread_close_and_open_are_seen_by_the_running_app(capsys: pytest.CaptureFixture[str],
                                                           api: Api, database_url: str) -> None:
    api.comment("/a")
    assert api.thread("/a")["closed"] is False  # cached now
    code, out, _ = run(capsys, "thread", "close", "--uri", "/a#comments",
                       "--database", database_url)
    assert code == 0 and "closed" in out
    assert api.thread("/a")["closed"] is True
    assert api.get("/api/v1/threads", params={"uri": "/a"}).json()["closed"] is True
    api.post("/a", expect=403)
    code, _, _ = run(capsys, "thread", "open", "--uri", "/a", "--database", database_url)
    assert code == 0
    assert api.thread("/a")["closed"] is False
    api.comment("/a")


def test_thread_close_on_an_unknown_site_fails_clearly(capsys: pytest.CaptureFixture[str],
                                                       database_url: str) -> None:
    code, _, err = run(capsys, "thread", "close", "--site", "nope", "--uri", "/a",
                       "--database", database_url)
    assert code == 2
    assert "site" in err.lower()


def test_site_set_and_show(capsys: pytest.CaptureFixture[str], api: Api, database_url: str) -> None:
    code, out, _ = run(capsys, "site", "set", "max_depth", "2", "--database", database_url)
    assert code == 0
    run(capsys, "site", "set", "allowed_origins", "https://a.example, https://b.example",
        "--database", database_url)
    code, out, _ = run(capsys, "site", "show", "--database", database_url)
    assert code == 0
    shown = dict(line.split(" = ", 1) for line in out.splitlines())
    assert set(shown) == {s.name for s in SITE_SETTINGS}
    assert shown["max_depth"] == "2"
    assert shown["allowed_origins"] == "https://a.example,https://b.example"
    assert shown["moderation"] == "none"
    # The running app applies the new depth on its next write.
    top = api.comment("/a")
    reply = api.reply(top["id"])
    deeper = api.reply(reply["id"])
    assert (reply["depth"], deeper["depth"], deeper["parent"]) == (1, 1, top["id"])


def test_site_create_then_post_to_it(capsys: pytest.CaptureFixture[str], api: Api,
                                     database_url: str) -> None:
    code, _, _ = run(capsys, "site", "create", "blog", "--name", "Le blog",
                     "--database", database_url)
    assert code == 0
    for name in ("pow_difficulty", "min_submit_seconds"):  # this test's client proves nothing
        assert run(capsys, "site", "set", "--site", "blog", name, "0",
                   "--database", database_url)[0] == 0
    api.comment("/a", site="blog")
    assert api.thread("/a", site="blog")["count"] == 1
    code, _, _ = run(capsys, "site", "set", "--site", "blog", "moderation", "all",
                     "--database", database_url)
    assert code == 0
    assert api.comment("/a", "Encore", site="blog")["status"] == "pending"
    assert api.comment("/a")["status"] == "approved"


@pytest.mark.parametrize(("name", "value", "message"), [
    ("max_depth", "deep", "max_depth must be a whole number"),
    ("moderation", "sometimes", "moderation must be one of"),
    ("colour", "blue", "unknown site setting 'colour'"),
])
def test_site_set_with_a_bad_value_exits_2_and_changes_nothing(capsys: pytest.CaptureFixture[str],
                                                               database_url: str, name: str,
                                                               value: str, message: str) -> None:
    code, out, err = run(capsys, "site", "set", name, value, "--database", database_url)
    assert code == 2
    assert message in err
    assert err.startswith("palabre: ")
    assert "Traceback" not in err + out
    _, shown, _ = run(capsys, "site", "show", "--database", database_url)
    assert "max_depth = 5" in shown and "moderation = none" in shown


@pytest.mark.parametrize(("argv", "env", "message"), [
    (["--port", "eighty"], {}, "port must be a whole number"),
    (["--workers", "two"], {}, "workers must be a whole number"),
    (["--log-level", "loud"], {}, "log_level must be one of"),
    ([], {"PALABRE_POST_RATE_LIMIT": "many"}, "post_rate_limit must be a whole number"),
    ([], {"PALABRE_DEMO": "perhaps"}, "demo must be true or false"),
    (["--config", "missing.toml"], {}, "config file not found"),
])
def test_serve_with_a_bad_setting_exits_2_before_serving(capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         database_url: str, argv: list[str],
                                                         env: dict[str, str], message: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, _, err = run(capsys, "serve", "--database", database_url, *argv)
    assert code == 2
    assert message in err
    assert "serving on" not in err


def test_serve_refuses_an_unknown_setting_in_the_config_file(capsys: pytest.CaptureFixture[str],
                                                             tmp_path: Path,
                                                             database_url: str) -> None:
    path = tmp_path / "palabre.toml"
    path.write_text('[server]\nportt = 80\n', "utf-8")
    code, _, err = run(capsys, "serve", "--database", database_url, "--config", str(path))
    assert code == 2
    assert "portt" in err


@pytest.fixture
def serve_without_serving(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """`palabre serve` up to the moment it would start uvicorn; the calls it would make."""
    import uvicorn

    calls: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append(kwargs))
    return calls


def test_serve_generates_the_secret_beside_the_database_once_with_mode_0600(
        capsys: pytest.CaptureFixture[str], tmp_path: Path,
        serve_without_serving: list[dict[str, object]]) -> None:
    database = tmp_path / "data" / "comments.db"
    url = f"sqlite:///{database}"
    code, out, err = run(capsys, "serve", "--database", url)
    assert code == 0 and len(serve_without_serving) == 1
    secret_file = Path(f"{database}.secret")
    assert secret_file.exists()
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    secret = secret_file.read_text("utf-8").strip()
    assert len(secret) >= 32
    assert secret not in out + err
    run(capsys, "serve", "--database", url)
    assert secret_file.read_text("utf-8").strip() == secret
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600


def test_commands_that_sign_nothing_neither_ask_for_nor_make_a_secret(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    assert run(capsys, "db", "upgrade", "--database", url)[0] == 0
    for argv in (["site", "show"], ["thread", "close", "--uri", "/a"],
                 ["export", "out.jsonl"], ["author", "export", "--email", "a@b.example"]):
        assert run(capsys, *argv, "--database", url)[0] == 0, argv
    assert not (tmp_path / "c.db.secret").exists()


def test_given_secret_writes_no_file(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch,
                                     serve_without_serving: list[dict[str, object]]) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    monkeypatch.setenv("PALABRE_SECRET", "from-the-environment")
    assert run(capsys, "serve", "--database", url)[0] == 0
    assert not (tmp_path / "c.db.secret").exists()


def test_only_serve_and_db_upgrade_create_a_database(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Run from the wrong folder, a command must not make an empty database and say
    "closed" while the live site is untouched."""
    for argv in (["thread", "close", "--uri", "/a"], ["site", "show"],
                 ["site", "set", "max_depth", "3"], ["export", "x.jsonl"]):
        code, out, err = run(capsys, *argv)
        assert code == 2, argv
        assert err == f"palabre: no database at {tmp_path / 'palabre.db'}: name the right one " \
            "with --database (or PALABRE_DATABASE_URL), or create it with `palabre db upgrade`\n"
        assert "closed" not in out
    assert not (tmp_path / "palabre.db").exists()


def test_database_defaults_to_palabre_db_in_the_working_directory(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "db", "upgrade")
    assert code == 0 and f"sqlite:///{tmp_path / 'palabre.db'}" in out
    code, _, err = run(capsys, "site", "show")
    assert code == 0
    assert err == f"palabre: database sqlite:///{tmp_path / 'palabre.db'}\n"


def test_database_url_comes_from_the_environment(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PALABRE_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    assert run(capsys, "db", "upgrade")[0] == 0
    assert run(capsys, "site", "show")[0] == 0
    assert (tmp_path / "env.db").exists()
    assert not (tmp_path / "palabre.db").exists()


def test_the_config_file_is_found_where_config_init_puts_it(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    run(capsys, "config", "init")
    text = (tmp_path / "palabre.toml").read_text("utf-8")
    url = f"sqlite:///{tmp_path / 'from-file.db'}"
    (tmp_path / "palabre.toml").write_text(
        text.replace('# database_url = "sqlite:///palabre.db"', f'database_url = "{url}"'),
        "utf-8")
    assert run(capsys, "db", "upgrade")[0] == 0
    assert (tmp_path / "from-file.db").exists()
    assert not (tmp_path / "palabre.db").exists()


def test_a_database_that_cannot_be_reached_is_one_line(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "site", "show", "--database",
                         "postgresql://nobody:hunter2@127.0.0.1:1/none")
    assert code == 1
    assert err.count("\n") == 2 and "Traceback" not in out + err  # the database, the error
    assert "hunter2" not in err and "nobody:***@127.0.0.1:1" in err


def test_moderator_without_a_terminal_says_how(capsys: pytest.CaptureFixture[str],
                                              database_url: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, _, err = run(capsys, "admin", "moderator", "jeanne", "--database", database_url)
    assert code == 2 and "--password-stdin" in err


def test_moderators_are_listed_scoped_to_sites_and_disabled(
        capsys: pytest.CaptureFixture[str], database_url: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    db = ("--database", database_url)
    assert run(capsys, "site", "create", "blog", *db)[0] == 0
    for name in ("chef", "paul"):
        monkeypatch.setattr("sys.stdin", io.StringIO("un mot de passe\n"))
        assert run(capsys, "admin", "moderator", name, "--password-stdin", *db)[0] == 0
    code, out, _ = run(capsys, "admin", "access", "paul", "--role", "moderator",
                       "--sites", "blog", *db)
    assert code == 0 and "paul: moderator" in out
    code, out, _ = run(capsys, "admin", "list", *db)
    assert out.splitlines()[-2:] == ["chef\tadmin\tevery site", "paul\tmoderator\tblog"]
    assert run(capsys, "admin", "access", "paul", "--role", "moderator", "--disable",
               *db)[0] == 0
    assert run(capsys, "admin", "list", *db)[1].splitlines()[-1] == (
        "paul\tmoderator\tno site (disabled)")
    code, _, err = run(capsys, "admin", "access", "paul", "--role", "moderator",
                       "--sites", "nowhere", *db)
    assert code != 0 and "unknown site" in err


def test_db_upgrade(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    code, out, _ = run(capsys, "db", "upgrade", "--database", url)
    assert code == 0 and "up to date" in out
    assert run(capsys, "db", "upgrade", "--database", url)[0] == 0


def test_serve_on_a_shared_database_without_secret_fails_clearly(
        capsys: pytest.CaptureFixture[str]) -> None:
    """Only serve signs anything; on a database other than a SQLite file it cannot keep a
    secret beside it, so every instance must be given the same one."""
    code, _, err = run(capsys, "serve", "--database", "postgresql://x/y")
    assert code == 2
    assert "PALABRE_SECRET" in err


def test_unsupported_database_url_fails_clearly(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "site", "show", "--database", "mysql://x/y", "--secret", "s")
    assert code == 2
    assert "mysql://x/y" in err
