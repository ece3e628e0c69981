"""The Live tab's pickers: where frames come from, and which model classifies them."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtMultimedia import QMediaDevices
from PySide6.QtWidgets import QCheckBox, QComboBox, QFileDialog, QHBoxLayout, QLabel, QWidget

from visualizer.net.model.mobilenet import OFFICIAL_ALPHAS, OFFICIAL_RESOLUTIONS
from visualizer.video.camera import camera_formats, camera_names
from visualizer.video.camera_formats import CameraFormat, default_format

PICK = {"?video": "Video file…", "?image": "Image…", "?folder": "Folder of images…"}
#: the first item when no camera exists: a prompt, not an action
PROMPT = "Choose a video, an image or a folder…"
_VIDEO_FILTER = "Videos (*.mp4 *.avi *.mkv *.mov *.webm *.m4v);;All files (*)"
_IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp);;All files (*)"
_MODEL_FILTER = "Models (*.tflite *.tgz *.tar.gz *.onnx);;All files (*)"
UNTRAINED_ITEM = "Untrained (random weights; α, resolution →)"
PRECISION_TIP = (
    "auto: the faster of float and int8 for a quantized checkpoint on this machine, "
    "measured the first time (a few seconds) and remembered per checkpoint and thread "
    "count; float for other models.\nfloat: float32 kernels (a quantized checkpoint is "
    "dequantized).\nint8: onnxruntime's integer kernels with the checkpoint's own scales "
    "and zero points, in the integer formats this CPU runs fastest (quantized checkpoints "
    "only, e.g. *_quant).")


def official_models() -> tuple[str, ...]:
    from visualizer.net.checkpoints.official import official_names

    return official_names()


def default_model() -> str:
    """A cached official checkpoint if there is one (works offline), else untrained."""
    try:
        from visualizer.net.checkpoints.official import cached_checkpoint

        for name in official_models():
            if cached_checkpoint(name) is not None:
                return name
    except Exception:  # noqa: BLE001 - a broken cache must not stop the tab
        pass
    return "untrained"


class SourcePicker(QWidget):
    """Cameras Qt sees, then a video file, an image or a folder of images (file dialogs).
    Without a camera the box starts on a prompt, never on one of the file actions. A
    camera's formats (size, frame rate, pixel format) are offered beside it."""

    chosen = Signal()  # the user picked a (new) source
    camerasChanged = Signal(bool)  # the system's camera list changed: any camera now?

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Source:"))
        self.box = QComboBox()
        self.box.setMinimumWidth(260)
        self.box.activated.connect(self._activated)
        row.addWidget(self.box, 1)
        self.box.setToolTip("Where frames come from: a camera, a video file (played at its "
                            "normal speed), one image or a folder of images (shown 15 a "
                            "second, repeating)")
        self.format_box = QComboBox()
        self.format_box.setToolTip(
            "The camera's format: size, frame rate and pixel format. The default is the "
            "largest up to 720p that runs at 25 frames a second or more (motion JPEG is "
            "decoded off the window's thread; larger sizes cost more to decode and "
            "convert, the network sees a 128-224 px square either way)")
        self.format_box.activated.connect(lambda _i: self.chosen.emit())
        row.addWidget(self.format_box)
        self.loop_box = QCheckBox("Loop video")
        self.loop_box.setToolTip("Play a video file again from the start when it ends")
        row.addWidget(self.loop_box)
        for key, text in PICK.items():
            self.box.addItem(text, key)
        self._formats: list[CameraFormat] = []
        self.has_cameras = self.refresh()
        self.box.currentIndexChanged.connect(lambda _i: self._show_formats())
        self._show_formats()
        # cameras plugged in or out while the window is open
        self._devices = QMediaDevices(self)
        self._devices.videoInputsChanged.connect(self._devices_changed)

    def refresh(self) -> bool:
        """List the cameras again, keeping files already chosen and the selection when it
        still exists; False when there is no camera (a disabled note is shown)."""
        box = self.box
        current = self.current()  # a source, not a prompt or a file action
        for i in reversed(range(box.count())):
            data = box.itemData(i)
            if data is None or (isinstance(data, str) and data.startswith("camera:")):
                box.removeItem(i)
        names = camera_names()
        for i, name in enumerate(names):
            box.insertItem(i, f"Camera {i}: {name}", f"camera:{i}")
        if not names:  # a prompt first: the box never starts on a file action
            box.insertItem(0, PROMPT, None)
            box.setItemData(0, "No camera found: choose a video file, an image or a "
                               "folder of images below", Qt.ItemDataRole.ToolTipRole)
        i = box.findData(current) if current is not None else -1
        if i < 0:  # the selection went (a camera unplugged): a file chosen before, if any
            i = next((j for j in range(box.count()) if isinstance(box.itemData(j), str)
                      and not box.itemData(j).startswith("?")), 0)
        box.setCurrentIndex(i)
        self.has_cameras = bool(names)
        return self.has_cameras

    def _show_formats(self) -> None:
        """The selected camera's formats in the format box (hidden for other sources)."""
        spec = self.current()
        formats = camera_formats(int(spec[7:])) if spec and spec.startswith("camera:") \
            and spec[7:].isdigit() else []
        self.set_formats(formats)

    def set_formats(self, formats: list[CameraFormat]) -> None:
        """Offer these camera formats, the default selected (empty: the box hides)."""
        if formats != self._formats:
            self._formats = list(formats)
            self.format_box.clear()
            for f in formats:
                self.format_box.addItem(f.label())
            best = default_format(formats)
            if best is not None:
                self.format_box.setItemText(best, formats[best].label() + " (default)")
                self.format_box.setCurrentIndex(best)
        self.format_box.setVisible(bool(formats))

    def camera_format(self) -> CameraFormat | None:
        """The camera format chosen (None: not a camera, or it offers none)."""
        i = self.format_box.currentIndex()
        return self._formats[i] if self._formats and 0 <= i < len(self._formats) else None

    def open_chooser(self) -> None:
        """Show the list of sources (Start with none chosen)."""
        self.box.showPopup()

    def _devices_changed(self) -> None:
        self.camerasChanged.emit(self.refresh())

    def current(self) -> str | None:
        data = self.box.currentData()
        return data if isinstance(data, str) and not data.startswith("?") else None

    def set_source(self, spec: str) -> None:
        """Select `spec` (camera:N or a path), adding it to the list if needed."""
        i = self.box.findData(spec)
        if i < 0:
            label = spec if spec.startswith("camera") else Path(spec).name or spec
            i = self.box.count() - len(PICK)
            self.box.insertItem(i, label, spec)
            self.box.setItemData(i, spec, Qt.ItemDataRole.ToolTipRole)
        self.box.setCurrentIndex(i)

    def _activated(self, index: int) -> None:
        key = self.box.itemData(index)
        if key in PICK:
            if key == "?folder":
                path = QFileDialog.getExistingDirectory(self, "Folder of images")
            else:
                path, _ = QFileDialog.getOpenFileName(
                    self, PICK[key], "", _VIDEO_FILTER if key == "?video" else _IMAGE_FILTER)
            if not path:
                return
            self.set_source(path)
        self.chosen.emit()


class ModelPicker(QWidget):
    """Untrained (with α and resolution), the official checkpoints, or a local file."""

    requested = Signal()  # the user asked for another model: read current()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Model:"))
        self.box = QComboBox()
        self.box.setMinimumWidth(260)
        self.box.addItem(UNTRAINED_ITEM, "untrained")
        for name in official_models():
            self.box.addItem(name, name)
        self.box.addItem("Local file (.tflite/.tgz/.onnx)…", "?file")
        self.box.setToolTip(
            "The network that classifies the frames: untrained (random weights of any α and "
            "resolution: real timings, meaningless predictions), an official pretrained "
            "MobileNet V1 checkpoint (downloaded once, then cached) or a local file")
        self.box.activated.connect(self._activated)
        row.addWidget(self.box, 1)
        row.addWidget(QLabel("α"))
        self.alpha_box = QComboBox()
        for a in OFFICIAL_ALPHAS:
            self.alpha_box.addItem(f"{a:g}", a)
        self.alpha_box.setCurrentIndex(len(OFFICIAL_ALPHAS) - 1)
        self.alpha_box.setToolTip("Width multiplier α of the untrained network (a file or "
                                  "checkpoint brings its own)")
        row.addWidget(self.alpha_box)
        row.addWidget(QLabel("resolution"))
        self.res_box = QComboBox()
        for r in OFFICIAL_RESOLUTIONS:
            self.res_box.addItem(str(r), r)
        self.res_box.setCurrentIndex(len(OFFICIAL_RESOLUTIONS) - 1)
        self.res_box.setToolTip("Input resolution of the untrained network: each frame is "
                                "centre-cropped to a square and resized to it")
        row.addWidget(self.res_box)
        row.addWidget(QLabel("precision"))
        self.precision_box = QComboBox()
        self.precision_box.addItem("auto", "auto")
        self.precision_box.addItem("float", "float")
        self.precision_box.addItem("int8", "int8")
        self.precision_box.setToolTip(PRECISION_TIP)
        # "auto" becomes "auto: int8" once chosen: the box grows with its text
        self.precision_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        row.addWidget(self.precision_box)
        self.precision_box.activated.connect(lambda _i: self.requested.emit())
        self.alpha_box.activated.connect(lambda _i: self._shape_changed())
        self.res_box.activated.connect(lambda _i: self._shape_changed())
        self.box.currentIndexChanged.connect(self._enable_shape)
        self._enable_shape()

    def _enable_shape(self) -> None:
        """α and resolution choose the untrained model's shape; files carry their own."""
        untrained = self.box.currentData() == "untrained"
        for w in (self.alpha_box, self.res_box):
            w.setEnabled(untrained)

    def show_shape(self, alpha: float, resolution: int) -> None:
        """Show a loaded file's α and resolution in the (then disabled) boxes."""
        if self.box.currentData() == "untrained":
            return
        for box, value in ((self.alpha_box, alpha), (self.res_box, resolution)):
            i = box.findData(value)
            if i < 0:  # a file outside the official grid
                box.addItem(f"{value:g}", value)
                i = box.count() - 1
            box.setCurrentIndex(i)

    @property
    def precision(self) -> str:
        return str(self.precision_box.currentData())

    def show_auto(self, auto: str) -> None:
        """What "auto" resolved to for the running model ("" when it was not loaded as
        auto): in the item's text ("auto: int8") and the box's tooltip."""
        i = self.precision_box.findData("auto")
        chosen = auto.split(":", 1)[0].split(" with ")[0] if auto else ""
        self.precision_box.setItemText(i, f"auto: {chosen}" if chosen else "auto")
        # never squeezed below its text by the row (the status beside it stretches)
        self.precision_box.setMinimumWidth(self.precision_box.sizeHint().width())
        self.precision_box.setToolTip(PRECISION_TIP + (f"\n\nauto chose {auto}." if auto
                                                       else ""))

    def set_precision(self, precision: str) -> None:
        i = self.precision_box.findData(precision)
        if i >= 0:
            self.precision_box.setCurrentIndex(i)

    @property
    def alpha(self) -> float:
        return float(self.alpha_box.currentData())

    @property
    def resolution(self) -> int:
        return int(self.res_box.currentData())

    def current(self) -> str:
        data = self.box.currentData()
        if data == "untrained":
            return f"untrained:{self.alpha:g}_{self.resolution}"
        return data if isinstance(data, str) and data != "?file" else "untrained"

    def set_model(self, spec: str) -> None:
        """Select `spec` (an official name, a file, "untrained[:α_R]") in the picker."""
        text = spec.strip()
        if text.startswith("untrained"):
            self.box.setCurrentIndex(0)
            a, _, r = text.partition(":")[2].replace("-", "_").partition("_")
            for box, value in ((self.alpha_box, a), (self.res_box, r)):
                try:
                    i = box.findData(float(value) if box is self.alpha_box else int(value))
                except ValueError:
                    i = -1
                if i >= 0:
                    box.setCurrentIndex(i)
            return
        i = self.box.findData(text)
        if i < 0:
            i = self.box.count() - 1
            self.box.insertItem(i, Path(text).name or text, text)
            self.box.setItemData(i, text, Qt.ItemDataRole.ToolTipRole)
        self.box.setCurrentIndex(i)

    def _activated(self, index: int) -> None:
        if self.box.itemData(index) == "?file":
            path, _ = QFileDialog.getOpenFileName(self, "Model file", "", _MODEL_FILTER)
            if not path:
                return
            self.set_model(path)
        self.requested.emit()

    def _shape_changed(self) -> None:
        if self.box.currentData() == "untrained":
            self.requested.emit()
