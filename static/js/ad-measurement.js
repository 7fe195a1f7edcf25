// The site's own advertising measurement. Included only where advertising cookies are allowed (R-CK-3):
// it marks each advertisement on the page as seen once it scrolls into view, for the ad_id cookie's report.
(function () {
  "use strict";
  var ads = document.querySelectorAll(".house-ad");
  if (!("IntersectionObserver" in window) || ads.length === 0) {
    return;
  }
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) {
        entry.target.setAttribute("data-seen", new Date().toISOString());
        observer.unobserve(entry.target);
      }
    });
  });
  ads.forEach(function (ad) { observer.observe(ad); });
})();
