"""The Devices view: this browser as a device, paired by code, and the trust graph it keeps."""
