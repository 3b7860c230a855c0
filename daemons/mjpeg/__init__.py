"""The MJPEG grabber: keeps each beamtime's live-stream image fresh from a beamline camera.

It reads the camera continuously, keeps only the newest frame, and uploads one frame per
interval to the server with `PUT /api/beamtimes/{bt}/live-stream`.
"""
