"""Play/pause, step, to start/end, speed and scrub controls for the step animation."""
from __future__ import annotations

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (QAbstractSlider, QHBoxLayout, QLabel, QSlider, QStyle,
                               QStyleOptionSlider, QToolButton, QWidget)

SPEEDS = (1, 2, 4, 8, 15, 30, 60, 120)  # steps per second


class ScrubSlider(QSlider):
    """A horizontal slider that, when only its value changes, repaints the strip between
    the old and the new handle instead of the whole groove (it moves on every step)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Horizontal, parent)
        self._handle: QRect | None = None
        self.marks: tuple[tuple[int, str], ...] = ()  # (position, colour) ticks

    def set_marks(self, marks: tuple[tuple[int, str], ...]) -> None:
        """Ticks under the groove at these positions, e.g. where the pointwise phase starts."""
        if marks != self.marks:
            self.marks = marks
            self.update()

    def mark_x(self, value: int) -> int:
        """The x of a position's tick: where the handle's centre is at that value."""
        opt = QStyleOptionSlider()
        self.initStyleOption(opt)
        groove = self.style().subControlRect(QStyle.CC_Slider, opt, QStyle.SC_SliderGroove, self)
        handle = self._handle_rect()
        span = groove.width() - handle.width()
        return groove.x() + handle.width() // 2 + QStyle.sliderPositionFromValue(
            self.minimum(), self.maximum(), value, span)

    def paintEvent(self, event) -> None:  # noqa: N802
        super().paintEvent(event)
        if not self.marks:
            return
        p = QPainter(self)
        for value, color in self.marks:
            x = self.mark_x(value)
            p.fillRect(x - 1, 0, 3, self.height(), QColor(color))
        p.end()

    def _handle_rect(self) -> QRect:
        opt = QStyleOptionSlider()
        self.initStyleOption(opt)
        return self.style().subControlRect(QStyle.CC_Slider, opt, QStyle.SC_SliderHandle, self)

    def sliderChange(self, change) -> None:  # noqa: N802 (Qt name)
        if change != QAbstractSlider.SliderValueChange or self._handle is None:
            self._handle = self._handle_rect()
            super().sliderChange(change)
            return
        new = self._handle_rect()
        span = self._handle.united(new)
        self._handle = new
        self.update(QRect(span.left() - 2, 0, span.width() + 4, self.height()))

    def resizeEvent(self, event) -> None:  # noqa: N802
        self._handle = None
        super().resizeEvent(event)


class Transport(QWidget):
    """Buttons emit intents; the owner decides what they do and calls `show_position`."""

    play_toggled = Signal()
    stepped = Signal(int)  # -1 / +1
    to_start = Signal()
    to_end = Signal()
    scrubbed = Signal(int)  # new position
    speed_changed = Signal(int)  # steps per second

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)

        def button(icon: QStyle.StandardPixmap, tip: str, signal) -> QToolButton:
            b = QToolButton()
            b.setIcon(self.style().standardIcon(icon))
            b.setToolTip(tip)
            b.setMinimumWidth(34)
            b.clicked.connect(signal)
            row.addWidget(b)
            return b

        self.start_button = button(QStyle.SP_MediaSkipBackward, "To start (Home)", self.to_start.emit)
        self.back_button = button(QStyle.SP_MediaSeekBackward, "Step back (←)", lambda: self.stepped.emit(-1))
        self.play_button = button(QStyle.SP_MediaPlay, "Play / pause (Space)", self.play_toggled.emit)
        self.forward_button = button(QStyle.SP_MediaSeekForward, "Step forward (→)", lambda: self.stepped.emit(1))
        self.end_button = button(QStyle.SP_MediaSkipForward, "To end (End): compute every remaining cell at once",
                                 self.to_end.emit)
        self.scrub = ScrubSlider()
        self.scrub.setToolTip("Scrub through the steps (one step = one output cell)")
        self.scrub.valueChanged.connect(self._scrubbed)
        self.scrub.setFocusPolicy(Qt.NoFocus)  # arrows belong to the step shortcuts
        row.addWidget(self.scrub, 1)
        self.position_label = QLabel()
        # fixed size: a changing text then does not re-layout the whole window each step
        # (the explorer's memory limit keeps step counts below 10⁸)
        self.position_label.setFixedSize(
            self.position_label.fontMetrics().horizontalAdvance("frame 88,888,888 of 88,888,888")
            + 8, self.position_label.sizeHint().height())
        self.position_label.setToolTip("Steps done, of the steps of this path (counted from "
                                       "1; the race counts frames: one standard step each)")
        row.addWidget(self.position_label)
        speed_tip = "Animation speed while playing (Space)"
        speed_name = QLabel("speed")
        speed_name.setToolTip(speed_tip)
        row.addWidget(speed_name)
        self.speed = QSlider(Qt.Horizontal)
        self.speed.setRange(0, len(SPEEDS) - 1)
        self.speed.setValue(3)
        self.speed.setFixedWidth(110)
        self.speed.setFocusPolicy(Qt.NoFocus)
        self.speed.valueChanged.connect(lambda i: self._speed(i))
        row.addWidget(self.speed)
        self.speed_label = QLabel()
        self.speed_label.setToolTip(speed_tip)
        # fixed: a new speed text must not re-lay out the window
        self.speed_label.setFixedSize(self.speed_label.fontMetrics().horizontalAdvance(
            "120 step/s") + 6, self.speed_label.sizeHint().height())
        row.addWidget(self.speed_label)
        self._speed(self.speed.value(), emit=False)
        self._quiet = False
        self._playing = False

    @property
    def steps_per_second(self) -> int:
        return SPEEDS[self.speed.value()]

    def _speed(self, i: int, emit: bool = True) -> None:
        self.speed_label.setText(f"{SPEEDS[i]} step/s")
        self.speed.setToolTip(f"Animation speed: {SPEEDS[i]} steps per second")
        if emit:
            self.speed_changed.emit(SPEEDS[i])

    def _scrubbed(self, value: int) -> None:
        if not self._quiet:
            self.scrubbed.emit(value)

    def show_position(self, position: int, length: int, playing: bool,
                      unit: str = "step") -> None:
        self._quiet = True
        if self.scrub.maximum() != length:
            self.scrub.setMaximum(length)
            self.scrub.setPageStep(max(1, length // 20))
        self.scrub.setValue(position)
        self._quiet = False
        self.position_label.setText(f"{unit} {position:,} of {length:,}")
        if playing != self._playing:  # a new icon re-lays out the row: only on change
            self._playing = playing
            self.play_button.setIcon(self.style().standardIcon(
                QStyle.SP_MediaPause if playing else QStyle.SP_MediaPlay))
