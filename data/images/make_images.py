"""Rebuilds the photos of this folder that come from Debian packages (see LICENSES.md).

Sources are read from installed packages (python3-skimage, python3-scipy, python-matplotlib-data) and from two
packages unpacked without installing them (python3-sklearn, lomiri-wallpapers-16.04):

    mkdir -p /tmp/debs && cd /tmp/debs && apt-get download python3-sklearn lomiri-wallpapers-16.04
    for d in *.deb; do dpkg -x "$d" /tmp/debs/root; done
    /usr/bin/python3 data/images/make_images.py /tmp/debs/root

Photos whose long side exceeds 640 pixels are reduced to a long side of 512 with PIL's Lanczos filter (an antialiased
downscale that also removes the JPEG noise of the originals); the others are kept at their size. Every file is
written as 8-bit RGB PNG.
"""
import os
import sys
import warnings

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
LONG_SIDE = 512

SKIMAGE = "/usr/lib/python3/dist-packages/skimage/data"
WALLPAPERS = "usr/share/backgrounds"
SKLEARN = "usr/lib/python3/dist-packages/sklearn/datasets/images"


def scipy_face():
    warnings.simplefilter("ignore", DeprecationWarning)
    import scipy.misc

    return Image.fromarray(scipy.misc.face())


def sources(unpacked):
    return {
        "rocket": lambda: Image.open(f"{SKIMAGE}/rocket.jpg"),
        "raccoon": scipy_face,
        "grace_hopper": lambda: Image.open("/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg"),
        "china": lambda: Image.open(f"{unpacked}/{SKLEARN}/china.jpg"),
        "flower": lambda: Image.open(f"{unpacked}/{SKLEARN}/flower.jpg"),
        "seeding": lambda: Image.open(f"{unpacked}/{WALLPAPERS}/seeding_by_Clements_Engelhardt.jpg"),
        "aitzgorri": lambda: Image.open(f"{unpacked}/{WALLPAPERS}/aitzgorri_by_Aitzol_Berasategi.jpg"),
        "friends": lambda: Image.open(f"{unpacked}/{WALLPAPERS}/friends_by_Aitzol_Berasategi.jpg"),
        "life": lambda: Image.open(f"{unpacked}/{WALLPAPERS}/life_by_Aitzol_Berasategi.jpg"),
        "picos_de_europa": lambda: Image.open(f"{unpacked}/{WALLPAPERS}/picosdeeuropa_by_Aitzol_Berasategi.jpg"),
        "sunset": lambda: Image.open(f"{unpacked}/{WALLPAPERS}/sunset_by_Aitzol_Berasategi.jpg"),
        "fig": lambda: Image.open(f"{unpacked}/{WALLPAPERS}/Picture_0B_by_freespace.jpg"),
        "brushes": lambda: Image.open(f"{unpacked}/{WALLPAPERS}/Picture_1A_by_freespace.jpg"),
        "wine": lambda: Image.open(f"{unpacked}/{WALLPAPERS}/Wine_by_Jakkub_Mede.jpg"),
    }


def main():
    unpacked = sys.argv[1] if len(sys.argv) > 1 else "/tmp/debs/root"
    for name, load in sources(unpacked).items():
        im = load().convert("RGB")
        w, h = im.size
        if max(w, h) > 640:
            s = LONG_SIDE / max(w, h)
            im = im.resize((round(w * s), round(h * s)), Image.LANCZOS)
        assert min(im.size) >= 256, (name, im.size)
        out = os.path.join(HERE, f"{name}.png")
        tmp = out + ".tmp"
        im.save(tmp, "PNG", optimize=True)
        os.replace(tmp, out)
        print(f"{name}.png {im.size[0]}x{im.size[1]} {os.path.getsize(out)} bytes", np.asarray(im).mean().round(1))


if __name__ == "__main__":
    main()
