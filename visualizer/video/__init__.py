"""Frame sources at the edge of the app: camera, video file, image or folder of images.

Every source is a QObject that emits RGB uint8 numpy frames (H, W, 3) through a signal
and reports problems as one-line messages, never as exceptions.
"""
from visualizer.video.sources import (
    CameraSource, FrameSource, ImageSource, SourceError, VideoFileSource, camera_names,
    make_source,
)

__all__ = ["CameraSource", "FrameSource", "ImageSource", "SourceError", "VideoFileSource",
           "camera_names", "make_source"]
