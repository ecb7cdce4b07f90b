// /api/docs: start the vendored Swagger UI on the platform's own OpenAPI document (the session cookie authorises
// "Try it out" for a signed-in user; the CSRF token of the page is sent with unsafe requests).
(function () {
  var root = document.getElementById("swagger-ui");
  SwaggerUIBundle({
    url: root.dataset.openapi,
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
})();
