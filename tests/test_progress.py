"""save_gif reports progress: Matplotlib's progress_callback, and a tqdm bar."""

from __future__ import annotations

import pytest

import mplgif


@pytest.mark.parametrize("writer", ["mplgif", "pillow"])
def test_progress_callback_is_called_once_per_frame_as_matplotlib_does(
    make_anim, tmp_path, writer
):
    calls = []
    mplgif.save_gif(
        make_anim(frames=5), tmp_path / "a.gif", fps=10, writer=writer,
        progress_callback=lambda i, n: calls.append((i, n)),
    )
    assert calls == [(0, 5), (1, 5), (2, 5), (3, 5), (4, 5)]


def test_progress_bar_counts_the_frames(make_anim, tmp_path, capsys):
    calls = []
    mplgif.save_gif(
        make_anim(frames=4), tmp_path / "bar.gif", fps=10, progress=True,
        progress_callback=lambda i, n: calls.append(i),
    )
    shown = capsys.readouterr().err  # tqdm.auto outside a notebook: a text bar on stderr
    assert "bar.gif" in shown and "4/4" in shown
    assert calls == [0, 1, 2, 3]


def test_progress_bar_closes_when_the_save_fails(make_anim, tmp_path, capsys):
    with pytest.raises(RuntimeError, match="frame 2 failed"):
        mplgif.save_gif(make_anim(frames=5, fail_at=2), tmp_path / "f.gif", fps=10,
                        progress=True)
    assert "2/5" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_progress_callback_that_is_not_callable(make_anim, tmp_path):
    with pytest.raises(TypeError, match="progress_callback must be a function"):
        mplgif.save_gif(make_anim(), tmp_path / "a.gif", fps=10, progress_callback=5)
