"""The README's Python example runs as written (in a temporary working directory)."""
import os
import pathlib
import re

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def test_readme_python_example_runs(tmp_path, capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "README.md has no python example"
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        exec(compile(blocks[0], "README.md", "exec"), {})
    finally:
        os.chdir(cwd)
    assert (tmp_path / "runs" / "py-study" / "summary.json").exists()
    assert "|" in capsys.readouterr().out  # the front's arch strings were printed
