// Debian's Chromium driven by playwright-core (no browser download), with the flags this
// machine needs: headless, no sandbox as root, no background networking.
'use strict';
const fs = require('fs');
const { chromium } = require('playwright-core');

const chromiumPath = '/usr/bin/chromium';

function hasChromium() {
  return fs.existsSync(chromiumPath);
}

function launchChromium() {
  return chromium.launch({ executablePath: chromiumPath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

module.exports = { chromiumPath, hasChromium, launchChromium };
