/** Entry point of the web UI: loads the stylesheet and defines <twc-app>, which the shell contains. */
import "./styles/app.css";
import "./components/app.ts";
