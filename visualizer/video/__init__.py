"""Frame sources at the edge of the app: camera, video file, image or folder of images.

Every source is a QObject that emits RGB uint8 numpy frames (H, W, 3) through a signal
and reports problems as one-line messages, never as exceptions. `sources.make_source`
turns a description ("camera:0", a file or folder path) into one.
"""
